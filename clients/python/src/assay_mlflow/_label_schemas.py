"""Routes the Databricks-style calls of ``mlflow.genai.label_schemas`` to Assay.

Why this is needed (MLflow 3.18): ``mlflow.genai.label_schemas.create_label_schema`` /
``get_label_schema`` / ``delete_label_schema`` consult the labeling store only when
``is_databricks_uri(get_tracking_uri())``. On any other URI they go to the OSS tracking store
(``TracingClient`` -> ``/api/3.0/mlflow/label-schemas/*``) and, before sending anything, reject
the Databricks-only arguments: ``title=`` and ``overwrite=True`` raise
``MlflowException(INVALID_PARAMETER_VALUE)``, a name-only ``get_label_schema(name)`` asks for
``schema_id`` or ``experiment_id``, and ``delete_label_schema(name)`` says ``name`` is
Databricks-only. The ``mlflow.labeling_store`` plugin is never asked, so the seed's
``create_label_schema(..., title=..., overwrite=True)`` cannot work through the plugin alone.

What is patched: the three module attributes ``create_label_schema``, ``get_label_schema`` and
``delete_label_schema`` of ``mlflow.genai.label_schemas`` are replaced by wrappers
(``functools.wraps``; the original is ``__wrapped__``). A wrapper hands the call to
``AssayLabelingStore`` only when all of these hold:

* the call uses the Databricks (name-based) form that MLflow would refuse off Databricks:
  ``create_label_schema`` with ``title``, ``overwrite=True`` or a Databricks-only input
  (``InputCategoricalList``, ``InputTextList``); ``get_label_schema(name)`` without
  ``schema_id``/``experiment_id``; ``delete_label_schema(name)`` without ``schema_id``;
* the tracking URI resolves to the Assay store (an ``http``/``https`` URI);
* the server is Assay (``GET /api/assay/v1/version``, asked once per URI).

Every other call - OSS-style calls, Databricks URIs, non-Assay servers - runs MLflow's original
function unchanged, with MLflow's own errors. ``list_label_schemas`` and ``update_label_schema``
are not touched (their OSS form already works against Assay).
"""

from __future__ import annotations

import functools
import sys
from typing import Any

_MODULE = "mlflow.genai.label_schemas"
_PATCHED_FLAG = "_assay_mlflow_patched"


def _assay_store():
    """The Assay store for the current tracking URI, or None when it is not Assay's."""
    from mlflow.genai.labeling.stores import UnsupportedLabelingStoreURIException
    from mlflow.genai.labeling.stores import _get_labeling_store

    from assay_mlflow.store import AssayLabelingStore

    try:
        store = _get_labeling_store()
    except UnsupportedLabelingStoreURIException:
        return None
    if not isinstance(store, AssayLabelingStore):
        return None
    if store._client.is_assay() is False:
        return None
    return store


def _databricks_only_input(input_obj: Any) -> bool:
    from mlflow.genai.label_schemas.label_schemas import InputCategoricalList, InputTextList

    return isinstance(input_obj, (InputCategoricalList, InputTextList))


def _wrap_create(original):
    @functools.wraps(original)
    def create_label_schema(
        name,
        *,
        type,
        input,
        instruction=None,
        enable_comment=False,
        title=None,
        overwrite=False,
        experiment_id=None,
    ):
        if title is not None or overwrite or _databricks_only_input(input):
            store = _assay_store()
            if store is not None:
                return store.create_label_schema(
                    name,
                    type=type,
                    title=title,
                    input=input,
                    instruction=instruction,
                    enable_comment=enable_comment,
                    overwrite=overwrite,
                    experiment_id=experiment_id,
                )
        return original(
            name,
            type=type,
            input=input,
            instruction=instruction,
            enable_comment=enable_comment,
            title=title,
            overwrite=overwrite,
            experiment_id=experiment_id,
        )

    return create_label_schema


def _wrap_get(original):
    @functools.wraps(original)
    def get_label_schema(name=None, *, schema_id=None, experiment_id=None):
        if name is not None and schema_id is None and experiment_id is None:
            store = _assay_store()
            if store is not None:
                return store.get_label_schema(name)
        return original(name, schema_id=schema_id, experiment_id=experiment_id)

    return get_label_schema


def _wrap_delete(original):
    @functools.wraps(original)
    def delete_label_schema(name=None, *, schema_id=None):
        if name is not None and schema_id is None:
            store = _assay_store()
            if store is not None:
                store.delete_label_schema(name)
                return None
        return original(name, schema_id=schema_id)

    return delete_label_schema


_WRAPPERS = {
    "create_label_schema": _wrap_create,
    "get_label_schema": _wrap_get,
    "delete_label_schema": _wrap_delete,
}


def patch_label_schemas() -> bool:
    """Install the wrappers (idempotent). Returns False when ``mlflow.genai.label_schemas`` is
    not fully imported yet (then call again later)."""
    module = sys.modules.get(_MODULE)
    if module is None:
        import importlib

        try:
            module = importlib.import_module(_MODULE)
        except ImportError:
            return False
    if not all(callable(getattr(module, n, None)) for n in _WRAPPERS):
        return False  # still being imported (a circular import is in progress)
    for attr, wrap in _WRAPPERS.items():
        current = getattr(module, attr)
        if getattr(current, _PATCHED_FLAG, False):
            continue
        wrapper = wrap(current)
        setattr(wrapper, _PATCHED_FLAG, True)
        setattr(module, attr, wrapper)
    return True


def unpatch_label_schemas() -> None:
    """Put MLflow's original functions back."""
    module = sys.modules.get(_MODULE)
    if module is None:
        return
    for attr in _WRAPPERS:
        current = getattr(module, attr, None)
        if getattr(current, _PATCHED_FLAG, False):
            setattr(module, attr, current.__wrapped__)
