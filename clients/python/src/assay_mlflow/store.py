"""``AssayLabelingStore``: MLflow's ``AbstractLabelingStore`` over Assay's REST API.

MLflow 3.18 builds a labeling store on every ``mlflow.genai.labeling`` call:
``_get_labeling_store()`` resolves the tracking URI and looks its scheme up in
``LabelingStoreRegistry``, which registers ``"databricks"`` itself and loads the entry points of
group ``mlflow.labeling_store`` when ``mlflow.genai.labeling.stores`` is imported. This package
registers this class for ``http`` and ``https``; the registry calls it as
``AssayLabelingStore(tracking_uri=<resolved tracking URI>)``.

Routes used (see Assay's docs/labeling-api.md):

* sessions: ``POST /api/2.0/managed-evals/review-apps`` (get-or-create the experiment's review
  app), ``POST|GET|DELETE /api/2.0/managed-evals/review-apps/{app}/labeling-sessions[/{sid}]``,
  ``GET /api/assay/v1/experiments/{experiment_id}/sessions[?run_id=]``;
* items: ``POST /api/assay/v1/sessions/{sid}/traces`` (``{trace_ids}`` for traces the server
  already has, ``{traces}`` - MLflow trace JSON - for the others),
  ``POST /api/assay/v1/sessions/{sid}/records``;
* ``PUT /api/assay/v1/sessions/{sid}/assigned-users``, ``POST /api/assay/v1/sessions/{sid}/sync``;
* label schemas: ``/api/3.0/mlflow/label-schemas/create|get-by-name|delete`` (Assay's create
  accepts ``title`` and ``overwrite`` and the Databricks-only inputs).
"""

from __future__ import annotations

import json
from typing import Any, Iterable
from urllib.parse import quote

from mlflow.entities import Trace
from mlflow.exceptions import MlflowException
from mlflow.genai.label_schemas.label_schemas import LabelSchema
from mlflow.genai.labeling.labeling import LabelingSession
from mlflow.genai.labeling.stores import AbstractLabelingStore
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE, RESOURCE_DOES_NOT_EXIST

from assay_mlflow._label_schemas import patch_label_schemas
from assay_mlflow._rest import AssayClient
from assay_mlflow._wire import (
    AssayLabelingSession,
    AssayLabelSchema,
    input_to_json,
    label_schema_from_json,
    refresh_session,
    session_from_json,
)

_MANAGED = "/api/2.0/managed-evals"
_ASSAY = "/api/assay/v1"
_SCHEMAS = "/api/3.0/mlflow/label-schemas"


def _current_experiment_id() -> str:
    from mlflow.tracking.fluent import _get_experiment_id

    experiment_id = _get_experiment_id()
    if experiment_id is None:
        raise MlflowException(
            "No active experiment: call mlflow.set_experiment(...) first.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return str(experiment_id)


def _q(segment: str) -> str:
    return quote(str(segment), safe="")


def _is_not_found(exc: MlflowException) -> bool:
    return exc.error_code in ("RESOURCE_DOES_NOT_EXIST", "ENDPOINT_NOT_FOUND")


class AssayLabelingStore(AbstractLabelingStore):
    """Labeling sessions and label schemas kept by an Assay server."""

    def __init__(self, tracking_uri: str | None = None) -> None:
        super().__init__(tracking_uri)
        if tracking_uri is None:
            from mlflow.tracking._tracking_service.utils import _resolve_tracking_uri

            tracking_uri = _resolve_tracking_uri()
        self.tracking_uri = tracking_uri
        self._client = AssayClient(tracking_uri)
        patch_label_schemas()  # idempotent; see assay_mlflow/__init__.py

    # ----- plumbing -----

    def _call(self, method: str, endpoint: str, **kwargs: Any) -> dict[str, Any]:
        self._client.require_assay()
        return self._client.call(method, endpoint, **kwargs)

    def _review_app_id(self, experiment_id: str) -> str:
        app = self._call("POST", f"{_MANAGED}/review-apps", body={"experiment_id": experiment_id})
        return app["review_app_id"]

    def _session_path(self, session: LabelingSession) -> str:
        return (
            f"{_MANAGED}/review-apps/{_q(session.review_app_id)}"
            f"/labeling-sessions/{_q(session.labeling_session_id)}"
        )

    def _reload(self, session: LabelingSession) -> AssayLabelingSession:
        fresh = session_from_json(
            self._call("GET", f"{_ASSAY}/sessions/{_q(session.labeling_session_id)}")
        )
        refresh_session(session, fresh)
        return fresh

    # ----- sessions -----

    def get_labeling_session(self, run_id: str) -> LabelingSession:
        # The run says which experiment the session is in, so this works whatever the active
        # experiment is (MLflow's Databricks store only searches the active one).
        try:
            run = self._call("GET", "/api/2.0/mlflow/runs/get", params={"run_id": run_id})
            experiment_id = str(run["run"]["info"]["experiment_id"])
        except MlflowException as exc:
            if not _is_not_found(exc):
                raise
            experiment_id = _current_experiment_id()
        found = self._call(
            "GET",
            f"{_ASSAY}/experiments/{_q(experiment_id)}/sessions",
            params={"run_id": run_id},
        ).get("sessions") or []
        for s in found:
            if s.get("mlflow_run_id") == run_id:
                return session_from_json(s)
        raise MlflowException(
            f"Labeling session with run_id `{run_id}` not found",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )

    def get_labeling_sessions(self, experiment_id: str | None = None) -> list[LabelingSession]:
        experiment_id = str(experiment_id) if experiment_id is not None else _current_experiment_id()
        found = self._call("GET", f"{_ASSAY}/experiments/{_q(experiment_id)}/sessions")
        return [session_from_json(s) for s in found.get("sessions") or []]

    def create_labeling_session(
        self,
        name: str,
        *,
        assigned_users: list[str] | None = None,
        agent: str | None = None,
        label_schemas: list[str] | None = None,
        enable_multi_turn_chat: bool = False,
        custom_inputs: dict[str, Any] | None = None,
        experiment_id: str | None = None,
        reviews_per_item: int | str | None = None,
    ) -> LabelingSession:
        experiment_id = str(experiment_id) if experiment_id is not None else _current_experiment_id()
        app_id = self._review_app_id(experiment_id)
        body: dict[str, Any] = {
            "name": name,
            "assigned_users": list(assigned_users or []),
            "agent": {"agent_name": agent} if agent else None,
            "labeling_schemas": [
                {"name": s.name if isinstance(s, LabelSchema) else s} for s in label_schemas or []
            ],
            "enable_multi_turn_chat": bool(enable_multi_turn_chat),
            "custom_inputs": custom_inputs,
        }
        if reviews_per_item is not None:
            body["reviews_per_item"] = reviews_per_item
        created = self._call(
            "POST",
            f"{_MANAGED}/review-apps/{_q(app_id)}/labeling-sessions",
            body=body,
            idempotent=False,
        )
        return session_from_json(created)

    def delete_labeling_session(self, labeling_session: LabelingSession) -> None:
        self._call("DELETE", self._session_path(labeling_session))

    # ----- label schemas (name-based, in the active experiment: the Databricks surface) -----

    def get_label_schema(self, name: str, *, experiment_id: str | None = None) -> LabelSchema:
        experiment_id = str(experiment_id) if experiment_id is not None else _current_experiment_id()
        try:
            found = self._call(
                "GET",
                f"{_SCHEMAS}/get-by-name",
                params={"experiment_id": experiment_id, "name": name},
            )
        except MlflowException as exc:
            if _is_not_found(exc):
                raise MlflowException(
                    f"Label schema with name `{name}` not found",
                    error_code=RESOURCE_DOES_NOT_EXIST,
                ) from exc
            raise
        return label_schema_from_json(found["label_schema"])

    def create_label_schema(
        self,
        name: str,
        *,
        type: str,
        title: str | None = None,
        input: Any,
        instruction: str | None = None,
        enable_comment: bool = False,
        overwrite: bool = False,
        experiment_id: str | None = None,
    ) -> AssayLabelSchema:
        experiment_id = str(experiment_id) if experiment_id is not None else _current_experiment_id()
        body: dict[str, Any] = {
            "experiment_id": experiment_id,
            "name": name,
            "type": str(getattr(type, "value", type)).upper(),
            "input": input_to_json(input),
            "enable_comment": bool(enable_comment),
            "overwrite": bool(overwrite),
        }
        if title is not None:
            body["title"] = title
        if instruction is not None:
            body["instruction"] = instruction
        created = self._call("POST", f"{_SCHEMAS}/create", body=body, idempotent=False)
        return label_schema_from_json(created["label_schema"])

    def delete_label_schema(self, name: str, *, experiment_id: str | None = None) -> None:
        schema = self.get_label_schema(name, experiment_id=experiment_id)
        self._call(
            "DELETE",
            f"{_SCHEMAS}/delete",
            params={"schema_id": schema.schema_id},
            body={"schema_id": schema.schema_id},
        )

    # ----- items -----

    def add_dataset_to_session(
        self,
        labeling_session: LabelingSession,
        dataset_name: str,
        record_ids: list[str] | None = None,
    ) -> LabelingSession:
        body: dict[str, Any] = {"dataset_name": dataset_name}
        if record_ids is not None:
            body["record_ids"] = list(record_ids)
        self._call(
            "POST",
            f"{_ASSAY}/sessions/{_q(labeling_session.labeling_session_id)}/records",
            body=body,
        )
        return self._reload(labeling_session)

    def add_traces_to_session(
        self,
        labeling_session: LabelingSession,
        traces: list[Trace],
    ) -> LabelingSession:
        # LabelingSession.add_traces has already turned a DataFrame / JSON strings into Trace
        # objects and raised MLflow's INVALID_PARAMETER_VALUE errors for anything else; a
        # direct caller of the store gets the same check here.
        traces = _check_traces(traces)
        endpoint = f"{_ASSAY}/sessions/{_q(labeling_session.labeling_session_id)}/traces"
        by_id: dict[str, Trace] = {}
        for t in traces:
            by_id.setdefault(t.info.trace_id, t)
        if by_id:
            known = self._existing_trace_ids(list(by_id))
            ids = [i for i in by_id if i in known]
            foreign = [by_id[i] for i in by_id if i not in known]
            if ids:
                self._call("POST", endpoint, body={"trace_ids": ids})
            if foreign:
                # Traces this server does not have (e.g. loaded from JSON): stored in the
                # session's experiment, then added.
                self._call(
                    "POST",
                    endpoint,
                    body={"traces": [json.loads(t.to_json()) for t in foreign]},
                    idempotent=False,
                )
        return self._reload(labeling_session)

    def _existing_trace_ids(self, trace_ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(trace_ids), 100):
            chunk = trace_ids[start : start + 100]
            try:
                answer = self._call(
                    "POST", "/api/3.0/mlflow/traces/batchGetInfos", body={"trace_ids": chunk}
                )
            except MlflowException as exc:
                if not _is_not_found(exc):
                    raise
                continue
            for info in answer.get("trace_infos") or answer.get("traces") or []:
                info = info.get("trace_info", info)
                if info.get("trace_id"):
                    found.add(info["trace_id"])
        return found

    def sync_session_expectations(self, labeling_session: LabelingSession, dataset: str) -> None:
        self._call(
            "POST",
            f"{_ASSAY}/sessions/{_q(labeling_session.labeling_session_id)}/sync",
            body={"dataset_name": dataset},
            idempotent=False,
        )

    def set_session_assigned_users(
        self, labeling_session: LabelingSession, assigned_users: list[str]
    ) -> LabelingSession:
        updated = session_from_json(
            self._call(
                "PUT",
                f"{_ASSAY}/sessions/{_q(labeling_session.labeling_session_id)}/assigned-users",
                body={"assigned_users": list(assigned_users)},
            )
        )
        refresh_session(labeling_session, updated)
        return updated


def _check_traces(traces: Iterable[Any]) -> list[Trace]:
    out: list[Trace] = []
    for trace in traces:
        if isinstance(trace, Trace):
            out.append(trace)
        elif isinstance(trace, str):
            out.append(Trace.from_json(trace))
        elif trace is None:
            raise MlflowException(
                "trace cannot be None. Must be mlflow.entities.Trace or its json string "
                "representation.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        else:
            raise MlflowException(
                f"Expected mlflow.entities.Trace or json string, got {type(trace).__name__}",
                error_code=INVALID_PARAMETER_VALUE,
            )
    return out


__all__ = ["AssayLabelingStore", "AssayLabelingSession", "AssayLabelSchema"]
