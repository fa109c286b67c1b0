"""Conversions between MLflow's Python objects and Assay's JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlflow.exceptions import MlflowException
from mlflow.genai.label_schemas.label_schemas import (
    InputCategorical,
    InputCategoricalList,
    InputNumeric,
    InputPassFail,
    InputText,
    InputTextList,
    LabelSchema,
    LabelSchemaType,
)
from mlflow.genai.labeling.labeling import LabelingSession
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE


class AssayLabelingSession(LabelingSession):
    """The ``LabelingSession`` the Assay store returns: MLflow's class, plus

    * ``sync(dataset_name=...)`` as well as MLflow's ``sync(to_dataset)`` - the documented
      Databricks example calls ``session.sync(dataset_name="...")``, which MLflow's own
      signature (``sync(self, to_dataset)``) rejects with a TypeError;
    * ``progress``: the item counts Assay reported with the session, when it did.
    """

    def __init__(self, *, progress: dict[str, int] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self._progress = progress

    @property
    def progress(self) -> dict[str, int] | None:
        """Item counts (total, completed, skipped, in_progress, pending), when known."""
        return self._progress

    def sync(self, to_dataset: str | None = None, *, dataset_name: str | None = None) -> None:
        """Sync the session's expectations to an evaluation dataset (``to_dataset`` or its
        alias ``dataset_name``)."""
        if to_dataset is not None and dataset_name is not None and to_dataset != dataset_name:
            raise MlflowException(
                "Give the dataset once: `to_dataset` or `dataset_name`, not two different names.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        name = to_dataset if to_dataset is not None else dataset_name
        if not name:
            raise MlflowException(
                "sync() needs the name of the evaluation dataset (`to_dataset` or `dataset_name`).",
                error_code=INVALID_PARAMETER_VALUE,
            )
        return super().sync(name)

    def __repr__(self) -> str:
        return (
            f"LabelingSession(name={self.name!r}, labeling_session_id={self.labeling_session_id!r}, "
            f"mlflow_run_id={self.mlflow_run_id!r}, experiment_id={self.experiment_id!r}, "
            f"assigned_users={self.assigned_users!r}, label_schemas={self.label_schemas!r}, "
            f"url={self.url!r})"
        )


_SESSION_FIELDS = (
    "_name",
    "_assigned_users",
    "_agent",
    "_label_schemas",
    "_labeling_session_id",
    "_mlflow_run_id",
    "_review_app_id",
    "_experiment_id",
    "_url",
    "_enable_multi_turn_chat",
    "_custom_inputs",
)


def session_from_json(d: dict[str, Any]) -> AssayLabelingSession:
    agent = d.get("agent")
    if isinstance(agent, dict):
        agent = agent.get("agent_name") or None
    schemas = [s["name"] if isinstance(s, dict) else s for s in d.get("labeling_schemas") or []]
    return AssayLabelingSession(
        name=d.get("name", ""),
        assigned_users=list(d.get("assigned_users") or []),
        agent=agent or None,
        label_schemas=schemas,
        labeling_session_id=d["labeling_session_id"],
        mlflow_run_id=d.get("mlflow_run_id", ""),
        review_app_id=d.get("review_app_id", ""),
        experiment_id=str(d.get("experiment_id", "")),
        url=d.get("url", ""),
        enable_multi_turn_chat=bool(d.get("enable_multi_turn_chat", False)),
        custom_inputs=d.get("custom_inputs") or None,
        progress=d.get("progress"),
    )


def refresh_session(target: LabelingSession, source: LabelingSession) -> None:
    """Copy ``source``'s state onto ``target`` (the caller's object stays current)."""
    if target is source:
        return
    for field in _SESSION_FIELDS:
        if hasattr(source, field):
            setattr(target, field, getattr(source, field))
    if isinstance(target, AssayLabelingSession) and isinstance(source, AssayLabelingSession):
        target._progress = source._progress


@dataclass(frozen=True)
class AssayLabelSchema(LabelSchema):
    """MLflow's ``LabelSchema`` plus what Assay keeps beside it: the reviewer-facing ``title``
    (the Databricks-only argument of ``create_label_schema``), the schema ``version`` (bumped
    when a schema that already has answers changes) and whether it is a ``builtin``."""

    title: str | None = None
    version: int | None = None
    builtin: bool = False


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def input_to_json(input_obj: Any) -> dict[str, Any]:
    """An MLflow input object as Assay's ``input`` (a oneof: exactly one key)."""
    if isinstance(input_obj, InputCategoricalList):
        return {"categorical_list": {"options": list(input_obj.options)}}
    if isinstance(input_obj, InputCategorical):
        if getattr(input_obj, "multi_select", False):
            return {"categorical_list": {"options": list(input_obj.options)}}
        return {"categorical": {"options": list(input_obj.options)}}
    if isinstance(input_obj, InputTextList):
        return {
            "text_list": _drop_none(
                {"max_length_each": input_obj.max_length_each, "max_count": input_obj.max_count}
            )
        }
    if isinstance(input_obj, InputText):
        return {"text": _drop_none({"max_length": input_obj.max_length})}
    if isinstance(input_obj, InputNumeric):
        return {
            "numeric": _drop_none(
                {"min_value": input_obj.min_value, "max_value": input_obj.max_value}
            )
        }
    if isinstance(input_obj, InputPassFail):
        return {
            "pass_fail": {
                "positive_label": input_obj.positive_label,
                "negative_label": input_obj.negative_label,
            }
        }
    raise MlflowException(
        "`input` must be one of InputCategorical, InputCategoricalList, InputNumeric, InputText, "
        f"InputTextList or InputPassFail, got {type(input_obj).__name__}",
        error_code=INVALID_PARAMETER_VALUE,
    )


def input_from_json(d: dict[str, Any]) -> Any:
    """Assay's ``input`` (OSS shape, where a list of texts also carries ``text_list`` and a
    list of options is ``categorical`` with ``multi_select``; or the Databricks shape) as the
    MLflow class a Databricks-routed schema would have."""
    d = d or {}
    if d.get("text_list") is not None:
        t = d["text_list"]
        return InputTextList(max_length_each=t.get("max_length_each"), max_count=t.get("max_count"))
    if d.get("categorical_list") is not None:
        return InputCategoricalList(options=list(d["categorical_list"].get("options") or []))
    if d.get("categorical") is not None:
        c = d["categorical"]
        if c.get("multi_select"):
            return InputCategoricalList(options=list(c.get("options") or []))
        return InputCategorical(options=list(c.get("options") or []))
    if d.get("text") is not None:
        return InputText(max_length=d["text"].get("max_length"))
    if d.get("numeric") is not None:
        n = d["numeric"]
        return InputNumeric(min_value=n.get("min_value"), max_value=n.get("max_value"))
    if d.get("pass_fail") is not None:
        p = d["pass_fail"]
        return InputPassFail(positive_label=p["positive_label"], negative_label=p["negative_label"])
    raise MlflowException(f"Assay answered a label schema input MLflow does not know: {d!r}")


def label_schema_from_json(d: dict[str, Any]) -> AssayLabelSchema:
    def _int(v):
        return int(v) if v not in (None, "") else None

    return AssayLabelSchema(
        name=d["name"],
        type=LabelSchemaType(str(d.get("type", "")).lower()),
        input=input_from_json(d.get("input") or d),
        instruction=d.get("instruction") or None,
        enable_comment=bool(d.get("enable_comment", False)),
        schema_id=d.get("schema_id") or None,
        experiment_id=str(d["experiment_id"]) if d.get("experiment_id") else None,
        created_by=d.get("created_by") or None,
        created_at=_int(d.get("created_at")),
        updated_at=_int(d.get("last_updated_at")),
        title=d.get("title") or None,
        version=_int(d.get("version")),
        builtin=bool(d.get("builtin", False)),
    )
