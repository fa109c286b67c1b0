"""Calls to Assay's REST API through MLflow's own HTTP helper.

Every request goes through ``mlflow.utils.rest_utils.http_request`` with the credentials of
``mlflow.utils.credentials.get_default_host_creds`` - the same code path (and so the same
``MLFLOW_TRACKING_TOKEN`` / ``MLFLOW_TRACKING_USERNAME`` + ``MLFLOW_TRACKING_PASSWORD``,
TLS, retry, timeout and request-header-plugin settings) as the tracking client itself.
Error answers (MLflow's envelope ``{"error_code", "message"}``) become
``mlflow.exceptions.RestException``, as they do for the tracking client.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import ENDPOINT_NOT_FOUND
from mlflow.utils.credentials import get_default_host_creds
from mlflow.utils.rest_utils import http_request, verify_rest_response

try:  # mlflow >= 3.17: retry a non-idempotent write only when it surely was not processed
    from mlflow.utils.rest_utils import _non_idempotent_write_retry_kwargs
except ImportError:  # pragma: no cover - older mlflow

    def _non_idempotent_write_retry_kwargs(host_creds):
        return {}


# host -> True/False: whether that tracking server is Assay (asked once per process).
_IS_ASSAY: dict[str, bool] = {}
_IS_ASSAY_LOCK = threading.Lock()


class AssayClient:
    """A thin JSON client for one tracking URI."""

    def __init__(self, tracking_uri: str):
        self.tracking_uri = tracking_uri.rstrip("/")

    def _creds(self):
        # Read on every call, like the tracking client: credentials may change between calls.
        return get_default_host_creds(self.tracking_uri)

    def call(
        self,
        method: str,
        endpoint: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        creds = self._creds()
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs["json"] = body
        if params:
            kwargs["params"] = {k: v for k, v in params.items() if v is not None}
        if not idempotent:
            kwargs.update(_non_idempotent_write_retry_kwargs(creds))
        response = http_request(creds, endpoint, method, **kwargs)
        verify_rest_response(response, endpoint)
        text = response.text.strip()
        return json.loads(text) if text else {}

    def is_assay(self) -> bool | None:
        """Whether the server answers Assay's version route: True, False, or None when it cannot
        tell (unreachable, or refused the credentials) - then the real call reports why.
        Asked once per tracking URI and process."""
        with _IS_ASSAY_LOCK:
            known = _IS_ASSAY.get(self.tracking_uri)
        if known is not None:
            return known
        try:
            response = http_request(self._creds(), "/api/assay/v1/version", "GET", max_retries=0)
        except MlflowException:
            return None
        if response.status_code == 200:
            answer = _looks_like_assay(response.text)
        elif response.status_code in (404, 405):
            answer = False
        else:
            return None
        with _IS_ASSAY_LOCK:
            _IS_ASSAY[self.tracking_uri] = answer
        return answer

    def require_assay(self) -> None:
        if self.is_assay() is False:
            raise MlflowException(
                f"The tracking server at {self.tracking_uri} is not an Assay server (it does not "
                "answer GET /api/assay/v1/version). The assay-mlflow labeling store only works "
                "with Assay; labeling sessions on other servers need Databricks.",
                error_code=ENDPOINT_NOT_FOUND,
            )


def _looks_like_assay(text: str) -> bool:
    try:
        body = json.loads(text)
    except ValueError:
        return False
    return isinstance(body, dict) and "version" in body and "mlflow_api_version" in body
