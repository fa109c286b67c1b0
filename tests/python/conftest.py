"""Fixtures for the MLflow-client compatibility tests.

The `assay` fixture starts the Assay binary once per test session:

    $ASSAY_BIN serve --data-dir <tmp> --addr 127.0.0.1:<free port>

(`ASSAY_BIN` defaults to /work/main/bin/assay), waits until `GET /healthz` answers 200
(20 s, `ASSAY_START_TIMEOUT` to change it), points the stock `mlflow` client at it, and at
the end stops it with SIGTERM and asserts that it exited with code 0.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

# Set before mlflow is imported anywhere: no usage telemetry, and fail fast instead of the
# client's default of 7 retries with exponential backoff on 5xx answers.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")

import mlflow  # noqa: E402

ASSAY_BIN = os.environ.get("ASSAY_BIN", "/work/main/bin/assay")
START_TIMEOUT_S = float(os.environ.get("ASSAY_START_TIMEOUT", "20"))
STOP_TIMEOUT_S = 20


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthz_ok(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


# The data directory of the session's server, made (with an API token in it) before the test
# modules are collected: test_with_tracking_token exists only when ASSAY_TEST_TOKEN is set at
# import time, so the token must be there first. A failure here stops the run rather than
# leaving that test out.
_TOKEN_DATA_DIR = None


def pytest_configure(config):
    """Create the server's data directory and a local-mode API token in it, as ASSAY_TEST_TOKEN."""
    global _TOKEN_DATA_DIR
    binary = Path(ASSAY_BIN)
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise pytest.UsageError(f"Assay binary not found or not executable: {binary} (set ASSAY_BIN)")
    _TOKEN_DATA_DIR = tempfile.mkdtemp(prefix="assay-data-")
    env = {k: v for k, v in os.environ.items() if k != "ASSAY_OIDC_ISSUER"}  # local mode, as served
    done = subprocess.run(
        [str(binary), "token", "create", "--email", "admin@localhost", "--name", "pytest",
         "--expires", "6h", "--data-dir", _TOKEN_DATA_DIR],
        capture_output=True, text=True, env=env, timeout=60,
    )
    token = done.stdout.strip()
    if done.returncode != 0 or not token.startswith("assay_"):
        raise pytest.UsageError(
            f"`assay token create` failed (exit {done.returncode}):\n{done.stderr}{done.stdout}")
    os.environ["ASSAY_TEST_TOKEN"] = token


def pytest_unconfigure(config):
    if _TOKEN_DATA_DIR:
        shutil.rmtree(_TOKEN_DATA_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def assay(tmp_path_factory):
    """Base URL of a running Assay server (started here, stopped with SIGTERM at the end)."""
    binary = Path(ASSAY_BIN)
    assert binary.is_file() and os.access(binary, os.X_OK), (
        f"Assay binary not found or not executable: {binary} (set ASSAY_BIN)"
    )
    data_dir = _TOKEN_DATA_DIR or tmp_path_factory.mktemp("assay-data")
    log_path = tmp_path_factory.mktemp("assay-log") / "assay.log"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"

    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(binary), "serve", "--data-dir", str(data_dir), "--addr", f"127.0.0.1:{port}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def server_log() -> str:
        return log_path.read_text(errors="replace")[-4000:]

    deadline = time.monotonic() + START_TIMEOUT_S
    while not _healthz_ok(base_url):
        if proc.poll() is not None:
            pytest.fail(f"assay exited early with code {proc.returncode}:\n{server_log()}")
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            pytest.fail(f"GET /healthz did not answer 200 within {START_TIMEOUT_S}s:\n{server_log()}")
        time.sleep(0.1)

    mlflow.set_tracking_uri(base_url)
    try:
        yield base_url
    finally:
        # Drain the client's async trace export before the server goes away.
        mlflow.flush_trace_async_logging()
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                pytest.fail(f"assay did not stop within {STOP_TIMEOUT_S}s of SIGTERM")
        assert proc.returncode == 0, (
            f"assay exited with code {proc.returncode} after SIGTERM:\n{server_log()}"
        )


@pytest.fixture
def experiment_id(assay, request):
    """A fresh experiment per test, made the active one (so tests never see each other's data)."""
    name = f"pytest-{request.node.name}-{uuid.uuid4().hex[:8]}"
    exp = mlflow.set_experiment(name)
    yield exp.experiment_id
    mlflow.flush_trace_async_logging()
