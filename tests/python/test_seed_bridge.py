"""The seed's labeling-session code (../shared/seed/labeling-sessions.pt.txt) against Assay.

The Python bridge (clients/python, package `assay-mlflow`) registers Assay as MLflow's
`mlflow.labeling_store` for http(s) tracking URIs. These tests run the seed page's snippets the
way a notebook would - one shared namespace, in page order - and check what Assay stored through
its REST API after each one.

The snippets below are the seed's text with its lost indentation restored; a test checks that
every one of them still appears in the seed (whitespace aside). Only these substitutions are
applied before running them (SUBSTITUTIONS):

* `mlflow.set_tracking_uri("databricks")` -> the Assay server of this test session;
* the Databricks OpenAI client (`databricks.sdk.WorkspaceClient(...).get_open_ai_client()`
  plus `mlflow.openai.autolog()`) -> `DeterministicOpenAI()`, a stand-in whose
  `chat.completions.create` is a deterministic, traced function; `support_app` itself runs as
  written;
* the page's placeholders `"your_labeling_session_run_id"` / `"your_experiment_id"` -> the run id
  and experiment id of the session found by name just before.

Sessions that the page's later snippets look up by name but never create
("customer_review_session", "session_name", "completed_review_session") are created by the
tests beforehand. The page's "best practices" fragment (`create_labeling_session(name=..., ...)`)
is not valid Python and is not run.

As on Databricks notebooks (where the seed runs), traces are logged synchronously here
(MLFLOW_ENABLE_ASYNC_TRACE_LOGGING=false), so `search_traces` right after `support_app` sees them.
"""

from __future__ import annotations

import contextlib
import http.server
import importlib.metadata
import io
import json
import re
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import requests

import mlflow
import mlflow.genai.label_schemas as schemas
import mlflow.genai.labeling as labeling
from mlflow.entities import SpanType
from mlflow.exceptions import MlflowException

SEED_FILE = Path(__file__).resolve().parents[3] / "shared" / "seed" / "labeling-sessions.pt.txt"
EXPERIMENT = "/Shared/docs-demo"  # the seed's own mlflow.set_experiment(...)
LOCAL_ADMIN = "admin@localhost"  # who every request is in Assay's local mode

# ------------------------------------------------------------------ the seed's snippets

SNIPPETS = {
    "create_basic": '''
import mlflow.genai.labeling as labeling
import mlflow.genai.label_schemas as schemas

# Create a simple labeling session with built-in schemas
session = labeling.create_labeling_session(
    name="customer_service_review_jan_2024",
    assigned_users=["alice@company.com", "bob@company.com"],
    label_schemas=[schemas.EXPECTED_FACTS]  # Required: at least one schema needed
)

print(f"Created session: {session.name}")
print(f"Session ID: {session.labeling_session_id}")
''',
    "create_custom": '''
import mlflow.genai.labeling as labeling
import mlflow.genai.label_schemas as schemas

# Create custom schemas first
quality_schema = schemas.create_label_schema(
    name="response_quality",
    type="feedback",
    title="Rate the response quality",
    input=schemas.InputCategorical(options=["Poor", "Fair", "Good", "Excellent"]),
    overwrite=True,
)

# Create session using the schemas
session = labeling.create_labeling_session(
    name="quality_assessment_session",
    assigned_users=["expert@company.com"],
    label_schemas=["response_quality", schemas.EXPECTED_FACTS],
)
''',
    "list": '''
import mlflow.genai.labeling as labeling

# Get all labeling sessions
all_sessions = labeling.get_labeling_sessions()
print(f"Found {len(all_sessions)} sessions")

for session in all_sessions:
    print(f"- {session.name} (ID: {session.labeling_session_id})")
    print(f" Assigned users: {session.assigned_users}")
''',
    "find_by_name": '''
import mlflow
import mlflow.genai.labeling as labeling
import pandas as pd

# Get all labeling sessions first
all_sessions = labeling.get_labeling_sessions()

# Find session by name (note: names may not be unique)
target_session = None
for session in all_sessions:
    if session.name == "customer_service_review_jan_2024":
        target_session = session
        break

if target_session:
    print(f"Session name: {target_session.name}")
    print(f"Experiment ID: {target_session.experiment_id}")
    print(f"MLflow Run ID: {target_session.mlflow_run_id}")
    print(f"Label schemas: {target_session.label_schemas}")
else:
    print("Session not found")
''',
    "find_by_run_id": '''
# Alternative: Get session by MLflow Run ID (if you know it)
run_id = "your_labeling_session_run_id"
run = mlflow.search_runs(
    experiment_ids=["your_experiment_id"],
    filter_string=f"tags.mlflow.runName LIKE '%labeling_session%' AND attribute.run_id = '{run_id}'"
).iloc[0]

print(f"Found labeling session run: {run['run_id']}")
print(f"Session name: {run['tags.mlflow.runName']}")
''',
    "delete": '''
import mlflow.genai.labeling as labeling

# Find the session to delete by name
all_sessions = labeling.get_labeling_sessions()
session_to_delete = None
for session in all_sessions:
    if session.name == "customer_service_review_jan_2024":
        session_to_delete = session
        break

if session_to_delete:
    # Delete the session (removes from Review App)
    review_app = labeling.delete_labeling_session(session_to_delete)
    print(f"Deleted session: {session_to_delete.name}")
else:
    print("Session not found")
''',
    "setup_llm": '''
import mlflow
from databricks.sdk import WorkspaceClient

# Enable MLflow's autologging to instrument your application with Tracing
mlflow.openai.autolog()

# Set up MLflow tracking to Databricks
mlflow.set_tracking_uri("databricks")
mlflow.set_experiment("/Shared/docs-demo")

# Create an OpenAI client that is connected to Databricks-hosted LLMs
w = WorkspaceClient()
client = w.serving_endpoints.get_open_ai_client()

# Select an LLM
model_name = "databricks-claude-sonnet-4"
''',
    "add_from_search": '''
import mlflow.genai.labeling as labeling


# First, create some sample traces with a simple app
@mlflow.trace
def support_app(question: str):
    """Simple support app that generates responses"""
    mlflow.update_current_trace(tags={"test_tag": "C001"})
    response = client.chat.completions.create(
        model=model_name,  # This example uses Databricks hosted Claude 3.5 Sonnet. If you provide your own OpenAI credentials, replace with a valid OpenAI model e.g., gpt-4o, etc.
        messages=[
            {"role": "system", "content": "You are a helpful customer support agent."},
            {"role": "user", "content": question},
        ],
    )
    return {"response": response.choices[0].message.content}

# Generate some sample traces
with mlflow.start_run():
    # Create traces with negative feedback for demonstration
    support_app("My order is delayed")

    support_app("I can't log into my account")

# Now search for traces to label
traces_df = mlflow.search_traces(
    filter_string="tags.test_tag = 'C001'", max_results=50
)

# Create session and add traces
session = labeling.create_labeling_session(
    name="negative_feedback_review",
    assigned_users=["quality_expert@company.com"],
    label_schemas=["response_quality", "expected_facts"]
)

# Add traces from search results
session.add_traces(traces_df)
print(f"Added {len(traces_df)} traces to session")
''',
    "add_individual": '''
import mlflow.genai.labeling as labeling


# Set up the app to generate traces
@mlflow.trace
def support_app(question: str):
    """Simple support app that generates responses"""
    mlflow.update_current_trace(tags={"test_tag": "C001"})
    response = client.chat.completions.create(
        model=model_name,  # This example uses Databricks hosted Claude 3.5 Sonnet. If you provide your own OpenAI credentials, replace with a valid OpenAI model e.g., gpt-4o, etc.
        messages=[
            {"role": "system", "content": "You are a helpful customer support agent."},
            {"role": "user", "content": question},
        ],
    )
    return {"response": response.choices[0].message.content}

# Generate specific traces for edge cases
with mlflow.start_run() as run:
    # Create traces for specific scenarios
    support_app("What's your refund policy?")
    trace_id_1 = mlflow.get_last_active_trace_id()

    support_app("How do I cancel my subscription?")
    trace_id_2 = mlflow.get_last_active_trace_id()

    support_app("The website is down")
    trace_id_3 = mlflow.get_last_active_trace_id()

# Get the trace objects
trace1 = mlflow.get_trace(trace_id_1)
trace2 = mlflow.get_trace(trace_id_2)
trace3 = mlflow.get_trace(trace_id_3)

# Create session and add traces
session = labeling.create_labeling_session(
    name="negative_feedback_review",
    assigned_users=["name@databricks.com"],
    label_schemas=["response_quality", schemas.EXPECTED_FACTS],
)

# Add individual traces
session.add_traces([trace1, trace2, trace3])
''',
    "extend_users": '''
import mlflow.genai.labeling as labeling

# Find existing session by name
all_sessions = labeling.get_labeling_sessions()
session = None
for s in all_sessions:
    if s.name == "customer_review_session":
        session = s
        break

if session:
    # Add more users to the session
    new_users = ["expert2@company.com", "expert3@company.com"]
    session.set_assigned_users(session.assigned_users + new_users)
    print(f"Session now has users: {session.assigned_users}")
else:
    print("Session not found")
''',
    "replace_users": '''
import mlflow.genai.labeling as labeling

# Find session by name
all_sessions = labeling.get_labeling_sessions()
session = None
for s in all_sessions:
    if s.name == "session_name":
        session = s
        break

if session:
    # Replace all assigned users
    session.set_assigned_users(["new_expert@company.com", "lead_reviewer@company.com"])
    print("Updated assigned users list")
else:
    print("Session not found")
''',
    "sync": '''
import mlflow.genai.labeling as labeling

# Find session with completed labels by name
all_sessions = labeling.get_labeling_sessions()
session = None
for s in all_sessions:
    if s.name == "completed_review_session":
        session = s
        break

if session:
    # Sync expectations to dataset
    session.sync(dataset_name="customer_service_eval_dataset")
    print("Synced expectations to evaluation dataset")
else:
    print("Session not found")
''',
}

# (seed text, what runs instead); {assay} is the server's base URL.
SUBSTITUTIONS = [
    ("from databricks.sdk import WorkspaceClient\n", ""),
    (
        "mlflow.openai.autolog()\n",
        "pass  # no openai package here: DeterministicOpenAI traces its own calls\n",
    ),
    ('mlflow.set_tracking_uri("databricks")', 'mlflow.set_tracking_uri("{assay}")'),
    (
        "w = WorkspaceClient()\nclient = w.serving_endpoints.get_open_ai_client()\n",
        "client = DeterministicOpenAI()\n",
    ),
    ('run_id = "your_labeling_session_run_id"', "run_id = target_session.mlflow_run_id"),
    ('experiment_ids=["your_experiment_id"]', "experiment_ids=[target_session.experiment_id]"),
]


def _runnable(name: str, assay: str) -> str:
    code = SNIPPETS[name]
    for seed_text, ours in SUBSTITUTIONS:
        code = code.replace(seed_text, ours.replace("{assay}", assay))
    return code


def _norm_lines(text: str) -> list[str]:
    """Lines without indentation, blank lines or spacing differences (the seed lost them)."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


# ------------------------------------------------------------------ the OpenAI stand-in


@dataclass
class _Message:
    role: str
    content: str


@dataclass
class _Choice:
    index: int
    message: _Message
    finish_reason: str = "stop"


@dataclass
class _Completion:
    model: str
    choices: list


class DeterministicOpenAI:
    """`client.chat.completions.create(model=..., messages=[...])`, answering from a table."""

    ANSWERS = {
        "My order is delayed": "Sorry about the delay - your order ships within 2 days.",
        "I can't log into my account": "Reset your password from the sign-in page.",
        "What's your refund policy?": "Refunds are possible within 30 days of purchase.",
        "How do I cancel my subscription?": "Cancel it under Settings > Billing.",
        "The website is down": "We are aware of the outage and working on it.",
    }

    def __init__(self):
        outer = self

        class _Completions:
            def create(self, *, model, messages):
                return outer._complete(model=model, messages=messages)

        class _Chat:
            completions = _Completions()

        self.chat = _Chat()

    @mlflow.trace(name="Completions", span_type=SpanType.CHAT_MODEL)
    def _complete(self, *, model, messages):
        question = messages[-1]["content"]
        text = self.ANSWERS.get(question, f"Thanks for asking about: {question}")
        return _Completion(model=model, choices=[_Choice(0, _Message("assistant", text))])


# ------------------------------------------------------------------ Assay's REST API


class Rest:
    """Assertions read what Assay stored through its own REST API, not through the bridge."""

    def __init__(self, base: str, token: str | None = None):
        self.base = base
        self.token = token

    def __call__(self, method, path, *, body=None, params=None, expect=200, token=None):
        headers = {}
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        r = requests.request(
            method, self.base + path, json=body, params=params, headers=headers, timeout=30
        )
        assert r.status_code == expect, f"{method} {path} -> {r.status_code}: {r.text[:500]}"
        return r.json() if r.text.strip() else {}

    def session(self, sid, expect=200):
        return self("GET", f"/api/assay/v1/sessions/{sid}", expect=expect)

    def items(self, s):
        path = f"/api/2.0/managed-evals/review-apps/{s['review_app_id']}/labeling-sessions"
        return self("GET", f"{path}/{s['labeling_session_id']}/items")["items"]

    def sessions(self, experiment_id):
        return self("GET", f"/api/assay/v1/experiments/{experiment_id}/sessions")["sessions"]

    def run(self, run_id):
        return self("GET", "/api/2.0/mlflow/runs/get", params={"run_id": run_id})["run"]

    def trace(self, trace_id, expect=200):
        return self("GET", f"/api/3.0/mlflow/traces/{trace_id}", expect=expect)

    def schema(self, experiment_id, name, expect=200):
        return self(
            "GET",
            "/api/3.0/mlflow/label-schemas/get-by-name",
            params={"experiment_id": experiment_id, "name": name},
            expect=expect,
        )

    def review_app(self, experiment_id):
        return self("POST", "/api/2.0/managed-evals/review-apps", body={"experiment_id": experiment_id})


def _sessions_named(rest, experiment_id, name):
    return [s for s in rest.sessions(experiment_id) if s["name"] == name]


def _the_session(rest, experiment_id, name):
    found = _sessions_named(rest, experiment_id, name)
    assert len(found) == 1, f"expected one session named {name!r}, found {len(found)}"
    return found[0]


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def rest(assay):
    return Rest(assay)


@pytest.fixture(scope="module")
def notebook(assay):
    """The seed's notebook: one namespace shared by the snippets, traces logged synchronously."""
    mp = pytest.MonkeyPatch()
    mlflow.flush_trace_async_logging()
    mp.setenv("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")
    mlflow.tracing.reset()
    ns = {"__name__": "seed_notebook", "DeterministicOpenAI": DeterministicOpenAI}
    yield ns
    mlflow.flush_trace_async_logging()
    mp.undo()
    mlflow.tracing.reset()


@pytest.fixture(scope="module")
def docs_demo(notebook):
    """Experiment "/Shared/docs-demo", where the whole page runs."""
    return mlflow.set_experiment(EXPERIMENT).experiment_id


@pytest.fixture(autouse=True)
def _active_experiment(request):
    """Tests of this module that use the page's experiment keep it active."""
    if "docs_demo" in request.fixturenames:
        exp = request.getfixturevalue("docs_demo")
        mlflow.set_experiment(experiment_id=exp)


def run_snippet(ns, name, assay) -> str:
    """Run one snippet in the notebook namespace; return what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(_runnable(name, assay), f"<seed snippet {name}>", "exec"), ns)
    return out.getvalue()


# ------------------------------------------------------------------ the bridge is installed


def test_bridge_is_the_labeling_store_for_http(assay):
    eps = {
        ep.name: ep.value
        for ep in importlib.metadata.entry_points(group="mlflow.labeling_store")
    }
    assert eps.get("http") == "assay_mlflow.store:AssayLabelingStore"
    assert eps.get("https") == "assay_mlflow.store:AssayLabelingStore"
    assert importlib.metadata.version("assay-mlflow")

    from mlflow.genai.labeling.stores import _get_labeling_store

    from assay_mlflow.store import AssayLabelingStore

    assert isinstance(_get_labeling_store(), AssayLabelingStore)
    assert isinstance(_get_labeling_store("https://assay.example.com"), AssayLabelingStore)
    # mlflow.genai.label_schemas' three name-based functions are wrapped, the rest are MLflow's
    for fn in ("create_label_schema", "get_label_schema", "delete_label_schema"):
        assert getattr(getattr(schemas, fn), "_assay_mlflow_patched", False), fn
        assert getattr(schemas, fn).__wrapped__.__module__ == "mlflow.genai.label_schemas"
    assert not hasattr(schemas.list_label_schemas, "_assay_mlflow_patched")


def test_snippets_are_the_seeds_text():
    if not SEED_FILE.is_file():
        pytest.skip(f"seed not found at {SEED_FILE}")
    seed = _norm_lines(SEED_FILE.read_text(encoding="utf-8"))
    joined = "\n".join(seed)
    for name, code in SNIPPETS.items():
        lines = "\n".join(_norm_lines(code))
        assert lines in joined, f"snippet {name!r} is not the seed's text"


# ------------------------------------------------------------------ creating sessions


def test_create_basic_session(notebook, docs_demo, assay, rest):
    printed = run_snippet(notebook, "create_basic", assay)
    session = notebook["session"]
    assert printed.splitlines() == [
        "Created session: customer_service_review_jan_2024",
        f"Session ID: {session.labeling_session_id}",
    ]

    stored = rest.session(session.labeling_session_id)
    assert stored["name"] == "customer_service_review_jan_2024"
    assert stored["experiment_id"] == docs_demo == session.experiment_id
    assert stored["assigned_users"] == ["alice@company.com", "bob@company.com"]
    assert [s["name"] for s in stored["labeling_schemas"]] == ["expected_facts"]
    assert stored["mlflow_run_id"] == session.mlflow_run_id
    assert stored["review_app_id"] == session.review_app_id
    assert stored["progress"]["total"] == 0
    # the session's url is its page in Assay's Review App, as the server reports it
    assert session.url == stored["url"] == f"{assay}/review/{session.labeling_session_id}"
    page = requests.get(session.url, timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    # the session is an MLflow run of the experiment, named after the session and marked as a
    # labeling session (so the documented search_runs query finds it)
    run = rest.run(session.mlflow_run_id)
    assert run["info"]["experiment_id"] == docs_demo
    assert run["info"]["run_name"] == "customer_service_review_jan_2024 (labeling_session)"
    assert run["info"]["lifecycle_stage"] == "active"


def test_create_custom_schema_and_session(notebook, docs_demo, assay, rest):
    run_snippet(notebook, "create_custom", assay)
    quality_schema, session = notebook["quality_schema"], notebook["session"]

    stored = rest.schema(docs_demo, "response_quality")["label_schema"]
    assert stored["type"] == "FEEDBACK"
    assert stored["title"] == "Rate the response quality"
    assert stored["input"]["categorical"]["options"] == ["Poor", "Fair", "Good", "Excellent"]
    assert not stored["input"]["categorical"].get("multi_select")
    assert quality_schema.schema_id == stored["schema_id"]
    assert quality_schema.name == "response_quality"
    assert quality_schema.type == "feedback"
    assert quality_schema.title == "Rate the response quality"
    assert quality_schema.input == schemas.InputCategorical(options=["Poor", "Fair", "Good", "Excellent"])
    # the review app shows it in Databricks' shape
    app = rest.review_app(docs_demo)
    (rq,) = [s for s in app["labeling_schemas"] if s["name"] == "response_quality"]
    assert rq["title"] == "Rate the response quality" and rq["type"] == "FEEDBACK"
    assert rq["categorical"] == {"options": ["Poor", "Fair", "Good", "Excellent"]}

    s = rest.session(session.labeling_session_id)
    assert s["name"] == "quality_assessment_session"
    assert s["assigned_users"] == ["expert@company.com"]
    assert [x["name"] for x in s["labeling_schemas"]] == ["response_quality", "expected_facts"]
    assert session.label_schemas == ["response_quality", "expected_facts"]

    # re-running the cell (overwrite=True) replaces the schema in place: same id, same question
    run_snippet(notebook, "create_custom", assay)
    again = rest.schema(docs_demo, "response_quality")["label_schema"]
    assert again["schema_id"] == stored["schema_id"]
    assert again["title"] == "Rate the response quality"
    assert len(_sessions_named(rest, docs_demo, "quality_assessment_session")) == 2  # names repeat

    # without overwrite, an existing name is refused by the server
    with pytest.raises(MlflowException) as e:
        schemas.create_label_schema(
            name="response_quality",
            type="feedback",
            title="Another title",
            input=schemas.InputCategorical(options=["a", "b"]),
        )
    assert e.value.error_code == "RESOURCE_ALREADY_EXISTS"
    assert rest.schema(docs_demo, "response_quality")["label_schema"]["title"] == "Rate the response quality"


# ------------------------------------------------------------------ finding sessions


def test_list_sessions(notebook, docs_demo, assay, rest):
    printed = run_snippet(notebook, "list", assay)
    stored = rest.sessions(docs_demo)
    all_sessions = notebook["all_sessions"]
    assert printed.splitlines()[0] == f"Found {len(stored)} sessions"
    assert len(stored) >= 3
    assert [(s.labeling_session_id, s.name, s.assigned_users, s.mlflow_run_id) for s in all_sessions] == [
        (s["labeling_session_id"], s["name"], s["assigned_users"], s["mlflow_run_id"]) for s in stored
    ]
    for s in stored:
        assert f"- {s['name']} (ID: {s['labeling_session_id']})" in printed


def test_find_session_by_name(notebook, docs_demo, assay, rest):
    printed = run_snippet(notebook, "find_by_name", assay)
    target = notebook["target_session"]
    stored = _the_session(rest, docs_demo, "customer_service_review_jan_2024")
    assert target is not None and target.labeling_session_id == stored["labeling_session_id"]
    assert printed.splitlines() == [
        "Session name: customer_service_review_jan_2024",
        f"Experiment ID: {docs_demo}",
        f"MLflow Run ID: {stored['mlflow_run_id']}",
        "Label schemas: ['expected_facts']",
    ]


def test_find_session_by_run_id_with_search_runs(notebook, docs_demo, assay, rest):
    """The page's documented query must find the session's run."""
    if notebook.get("target_session") is None:
        run_snippet(notebook, "find_by_name", assay)
    target = notebook["target_session"]
    documented = (
        "tags.mlflow.runName LIKE '%labeling_session%' "
        f"AND attribute.run_id = '{target.mlflow_run_id}'"
    )
    found = rest(
        "POST",
        "/api/2.0/mlflow/runs/search",
        body={"experiment_ids": [docs_demo], "filter": documented, "max_results": 10},
    ).get("runs", [])
    assert [r["info"]["run_id"] for r in found] == [target.mlflow_run_id], (
        f"POST /api/2.0/mlflow/runs/search with the page's filter {documented!r} does not return "
        f"the session's run (run name {rest.run(target.mlflow_run_id)['info']['run_name']!r})"
    )
    printed = run_snippet(notebook, "find_by_run_id", assay)
    run = notebook["run"]
    assert run["run_id"] == target.mlflow_run_id
    # the page prints the run name as the session's name
    assert "customer_service_review_jan_2024" in run["tags.mlflow.runName"]
    assert printed.splitlines() == [
        f"Found labeling session run: {target.mlflow_run_id}",
        f"Session name: {run['tags.mlflow.runName']}",
    ]


def test_get_labeling_session_by_run_id(notebook, docs_demo, rest):
    stored = _the_session(rest, docs_demo, "customer_service_review_jan_2024")
    got = labeling.get_labeling_session(stored["mlflow_run_id"])
    assert got.labeling_session_id == stored["labeling_session_id"]
    assert got.name == stored["name"] and got.url == stored["url"]
    # the run names the experiment, so another active experiment does not matter
    mlflow.set_experiment(f"elsewhere-{uuid.uuid4().hex[:8]}")
    assert labeling.get_labeling_session(stored["mlflow_run_id"]).labeling_session_id == stored["labeling_session_id"]
    mlflow.set_experiment(experiment_id=docs_demo)
    with pytest.raises(MlflowException, match="Labeling session with run_id `nope` not found") as e:
        labeling.get_labeling_session("nope")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"


# ------------------------------------------------------------------ adding traces


def test_add_traces_from_search(notebook, docs_demo, assay, rest):
    run_snippet(notebook, "setup_llm", assay)
    assert mlflow.get_tracking_uri() == assay
    printed = run_snippet(notebook, "add_from_search", assay)
    traces_df, session = notebook["traces_df"], notebook["session"]
    assert printed.splitlines()[-1] == "Added 2 traces to session"
    assert "trace" in traces_df.columns and len(traces_df) == 2

    stored = rest.session(session.labeling_session_id)
    assert stored["name"] == "negative_feedback_review"
    assert [x["name"] for x in stored["labeling_schemas"]] == ["response_quality", "expected_facts"]
    items = rest.items(stored)
    assert sorted(i["source"]["trace_id"] for i in items) == sorted(traces_df["trace_id"])
    assert {i["state"] for i in items} == {"PENDING"}
    assert stored["progress"]["total"] == 2
    # the traces are linked to the session's run (what search_traces(run_id=...) finds)
    linked = rest("POST", "/api/3.0/mlflow/traces/search", body={
        "locations": [{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": docs_demo}}],
        "filter": f"attribute.run_id = '{session.mlflow_run_id}'",
        "max_results": 100,
    })["traces"]
    assert sorted(t["trace_id"] for t in linked) == sorted(traces_df["trace_id"])
    for trace_id in traces_df["trace_id"]:
        info = rest.trace(trace_id)["trace"]["trace_info"]
        assert info["tags"]["test_tag"] == "C001"
        assert info["trace_location"]["mlflow_experiment"]["experiment_id"] == docs_demo
        # the deterministic LLM answered
        assert json.loads(info["response_preview"])["response"] in DeterministicOpenAI.ANSWERS.values()


def test_add_individual_traces(notebook, docs_demo, assay, rest):
    if "client" not in notebook:
        run_snippet(notebook, "setup_llm", assay)
    run_snippet(notebook, "add_individual", assay)
    session = notebook["session"]
    ids = [notebook["trace_id_1"], notebook["trace_id_2"], notebook["trace_id_3"]]
    stored = rest.session(session.labeling_session_id)
    assert stored["assigned_users"] == ["name@databricks.com"]
    items = sorted(rest.items(stored), key=lambda i: i["position"])
    assert [i["source"]["trace_id"] for i in items] == ids  # in the order given
    assert len(_sessions_named(rest, docs_demo, "negative_feedback_review")) == 2
    question = json.loads(rest.trace(ids[0])["trace"]["trace_info"]["request_preview"])
    assert question == {"question": "What's your refund policy?"}


def test_add_traces_other_forms_and_errors(notebook, docs_demo, assay, rest):
    """Trace JSON strings; traces the server does not have; what MLflow itself refuses."""
    if "session" not in notebook or "trace_id_1" not in notebook:
        pytest.skip("needs test_add_individual_traces")
    session = notebook["session"]
    stored = rest.session(session.labeling_session_id)
    before = rest.items(stored)

    # JSON strings of traces already there: nothing is added twice
    session.add_traces([notebook["trace1"].to_json(), notebook["trace2"].to_json()])
    assert len(rest.items(stored)) == len(before) == 3

    # a trace Assay does not have (exported as JSON, then deleted here) is stored, then added
    notebook["support_app"]("Where is my invoice?")
    trace_id = mlflow.get_last_active_trace_id()
    exported = mlflow.get_trace(trace_id).to_json()
    mlflow.MlflowClient().delete_traces(experiment_id=docs_demo, trace_ids=[trace_id])
    rest.trace(trace_id, expect=404)
    returned = session.add_traces([exported])
    info = rest.trace(trace_id)["trace"]["trace_info"]
    assert info["tags"]["test_tag"] == "C001"
    assert json.loads(info["request_preview"]) == {"question": "Where is my invoice?"}
    items = sorted(rest.items(stored), key=lambda i: i["position"])
    assert [i["source"]["trace_id"] for i in items][-1] == trace_id and len(items) == 4
    assert returned.labeling_session_id == session.labeling_session_id
    assert returned.progress["total"] == 4

    # the errors MLflow raises for anything else, and nothing stored
    cases = [
        (pd.DataFrame({"trace_id": [trace_id]}), "traces must have a 'trace' column"),
        ([None], "trace cannot be None"),
        ([42], "Expected mlflow.entities.Trace or json string, got int"),
        ([{"info": {}}], "Expected mlflow.entities.Trace or json string, got dict"),
    ]
    for bad, message in cases:
        with pytest.raises(MlflowException, match=re.escape(message)) as e:
            session.add_traces(bad)
        assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    # the store gives the same answer to a direct caller
    from assay_mlflow.store import AssayLabelingStore

    with pytest.raises(MlflowException, match="got int") as e:
        AssayLabelingStore(assay).add_traces_to_session(session, [42])
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    assert len(rest.items(stored)) == 4


# ------------------------------------------------------------------ assigned users


def test_extend_assigned_users(notebook, docs_demo, assay, rest):
    labeling.create_labeling_session(
        name="customer_review_session",
        assigned_users=["expert1@company.com"],
        label_schemas=["expected_facts"],
    )
    printed = run_snippet(notebook, "extend_users", assay)
    want = ["expert1@company.com", "expert2@company.com", "expert3@company.com"]
    stored = _the_session(rest, docs_demo, "customer_review_session")
    assert sorted(stored["assigned_users"]) == want
    # the session object the snippet prints is current too
    assert sorted(notebook["session"].assigned_users) == want
    assert printed.strip() == f"Session now has users: {notebook['session'].assigned_users}"


def test_replace_assigned_users(notebook, docs_demo, assay, rest):
    labeling.create_labeling_session(
        name="session_name",
        assigned_users=["old_expert@company.com", "Lead_Reviewer@Company.com"],
        label_schemas=["expected_facts"],
    )
    printed = run_snippet(notebook, "replace_users", assay)
    assert printed.strip() == "Updated assigned users list"
    stored = _the_session(rest, docs_demo, "session_name")
    assert sorted(stored["assigned_users"]) == ["lead_reviewer@company.com", "new_expert@company.com"]


# ------------------------------------------------------------------ review, then sync


def test_review_through_api_then_sync(notebook, docs_demo, assay, rest):
    if "trace_id_3" not in notebook:
        pytest.skip("needs test_add_individual_traces")
    ids = [notebook["trace_id_1"], notebook["trace_id_2"], notebook["trace_id_3"]]
    session = labeling.create_labeling_session(
        name="completed_review_session",
        assigned_users=[LOCAL_ADMIN],
        label_schemas=["response_quality", "expected_facts"],
    )
    session.add_traces([notebook["trace1"], notebook["trace2"], notebook["trace3"]])

    # the dataset already holds the first question, with another expectation beside it
    from mlflow.genai.datasets import create_dataset

    ds = create_dataset(name="customer_service_eval_dataset", experiment_id=[docs_demo])
    ds.merge_records([
        {
            "inputs": {"question": "What's your refund policy?"},
            "expectations": {"expected_facts": ["old fact"], "guidelines": ["be polite"]},
        },
        {"inputs": {"question": "Unrelated question"}, "expectations": {"expected_facts": ["x"]}},
    ])

    # review as the reviewer, through the API, with an API token
    token = rest("POST", "/api/assay/v1/tokens", body={"name": "seed-reviewer"}, expect=201)["token"]
    reviewer = Rest(assay, token=token)
    me = reviewer("GET", "/api/assay/v1/me")
    assert me["via"] == "token" and me["user"]["email"] == LOCAL_ADMIN
    sid = session.labeling_session_id
    facts = {
        ids[0]: ["Refunds within 30 days"],
        ids[1]: ["Settings > Billing", "Effective at period end"],
    }
    seen = []
    while True:
        item = reviewer("POST", f"/api/assay/v1/review/sessions/{sid}/next", body={})["item"]
        if item is None:
            break
        tid = item["trace"]["trace_id"]
        assert tid not in seen
        seen.append(tid)
        assert {s["name"] for s in item["schemas"]} == {"response_quality", "expected_facts"}
        path = f"/api/assay/v1/review/sessions/{sid}/items/{item['item_id']}"
        if tid in facts:
            done = reviewer("POST", f"{path}/submit", body={
                "answers": {
                    "response_quality": {"value": "Good"},
                    "expected_facts": {"value": facts[tid]},
                },
                "time_spent_ms": 1200,
            })
            assert done == {"item_state": "COMPLETED", "my_state": "COMPLETED"}
        else:
            assert reviewer("POST", f"{path}/skip", body={})["my_state"] == "SKIPPED"
    assert seen == ids

    stored = rest.session(sid)
    assert stored["progress"]["completed"] == 2 and stored["progress"]["skipped"] == 1
    states = {i["source"]["trace_id"]: i["state"] for i in rest.items(stored)}
    assert states == {ids[0]: "COMPLETED", ids[1]: "COMPLETED", ids[2]: "SKIPPED"}
    for tid, want in facts.items():
        assessments = rest.trace(tid)["trace"]["trace_info"]["assessments"]
        by_name = {a["assessment_name"]: a for a in assessments}
        assert by_name["expected_facts"]["expectation"]["value"] == want
        assert by_name["expected_facts"]["source"] == {"source_type": "HUMAN", "source_id": LOCAL_ADMIN}
        assert by_name["response_quality"]["feedback"]["value"] == "Good"

    printed = run_snippet(notebook, "sync", assay)
    assert printed.strip() == "Synced expectations to evaluation dataset"

    def records():
        found = rest("POST", "/api/3.0/mlflow/datasets/search", body={"experiment_ids": [docs_demo]})
        (d,) = [d for d in found["datasets"] if d["name"] == "customer_service_eval_dataset"]
        assert d["dataset_id"] == ds.dataset_id
        raw = rest("GET", f"/api/3.0/mlflow/datasets/{d['dataset_id']}/records")["records"]
        recs = json.loads(raw) if isinstance(raw, str) else raw
        return {r["inputs"]["question"]: r for r in recs}

    recs = records()
    assert set(recs) == {"What's your refund policy?", "How do I cancel my subscription?", "Unrelated question"}
    # same inputs: the session's expectation replaced the same-named one, the other stayed
    assert recs["What's your refund policy?"]["expectations"] == {
        "expected_facts": ["Refunds within 30 days"],
        "guidelines": ["be polite"],
    }
    # new inputs: a new record from the trace; only expectations sync, never feedback
    new = recs["How do I cancel my subscription?"]
    assert new["expectations"] == {"expected_facts": ["Settings > Billing", "Effective at period end"]}
    assert new["source"]["source_type"] == "TRACE" and new["source"]["source_data"]["trace_id"] == ids[1]
    assert recs["Unrelated question"]["expectations"] == {"expected_facts": ["x"]}
    # syncing again changes nothing
    notebook["session"].sync(dataset_name="customer_service_eval_dataset")
    content = ("dataset_record_id", "inputs", "outputs", "expectations", "source")
    again = records()
    assert set(again) == set(recs)
    for q in recs:
        assert {k: again[q].get(k) for k in content} == {k: recs[q].get(k) for k in content}

    # deleting the session keeps the human work
    labeling.delete_labeling_session(session)
    rest.session(sid, expect=404)
    assert rest.run(session.mlflow_run_id)["info"]["lifecycle_stage"] == "deleted"
    names = {a["assessment_name"] for a in rest.trace(ids[0])["trace"]["trace_info"]["assessments"]}
    assert {"expected_facts", "response_quality"} <= names


# ------------------------------------------------------------------ deleting


def test_delete_session(notebook, docs_demo, assay, rest):
    stored = _the_session(rest, docs_demo, "customer_service_review_jan_2024")
    printed = run_snippet(notebook, "delete", assay)
    assert printed.strip() == "Deleted session: customer_service_review_jan_2024"
    assert notebook["review_app"] is None  # MLflow returns a ReviewApp only for Databricks
    rest.session(stored["labeling_session_id"], expect=404)
    assert _sessions_named(rest, docs_demo, "customer_service_review_jan_2024") == []
    assert rest.run(stored["mlflow_run_id"])["info"]["lifecycle_stage"] == "deleted"
    assert "customer_service_review_jan_2024" not in {s.name for s in labeling.get_labeling_sessions()}
    printed = run_snippet(notebook, "delete", assay)
    assert printed.strip() == "Session not found"


# ------------------------------------------------------------------ the rest of the store


def test_session_options_and_dataset_records(experiment_id, rest):
    from mlflow.genai.datasets import create_dataset

    ds = create_dataset(name="eval_records", experiment_id=[experiment_id])
    ds.merge_records([
        {"inputs": {"question": f"q{i}"}, "expectations": {"expected_facts": [f"f{i}"]}}
        for i in range(3)
    ])
    record_ids = list(ds.to_df()["dataset_record_id"])
    s = labeling.create_labeling_session(
        name="from records",
        assigned_users=["Reviewer@Company.com"],
        agent="support-bot",
        label_schemas=["expected_facts", "guidelines"],
        enable_multi_turn_chat=True,
        custom_inputs={"locale": "pt-BR"},
    )
    stored = rest.session(s.labeling_session_id)
    assert stored["assigned_users"] == ["reviewer@company.com"] == s.assigned_users
    assert stored["agent"] == {"agent_name": "support-bot"} and s.agent == "support-bot"
    assert stored["enable_multi_turn_chat"] is True and s.enable_multi_turn_chat is True
    assert stored["custom_inputs"] == {"locale": "pt-BR"} == s.custom_inputs

    s.add_dataset("eval_records", record_ids=record_ids[:1])
    assert [i["source"]["dataset_record_id"] for i in rest.items(stored)] == record_ids[:1]
    updated = s.add_dataset("eval_records")
    items = rest.items(stored)
    assert sorted(i["source"]["dataset_record_id"] for i in items) == sorted(record_ids)
    assert {i["source"]["dataset_id"] for i in items} == {ds.dataset_id}
    assert updated.progress["total"] == 3
    with pytest.raises(MlflowException, match="nope") as e:
        s.add_dataset("nope")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"


# ------------------------------------------------------------------ label schemas, every input


def test_label_schemas_databricks_surface(experiment_id, assay, rest):
    cases = {
        "tone": schemas.InputCategorical(options=["formal", "casual"]),
        "topics": schemas.InputCategoricalList(options=["billing", "login", "shipping"]),
        "score": schemas.InputNumeric(min_value=1.0, max_value=5.0),
        "summary": schemas.InputText(max_length=300),
        "facts": schemas.InputTextList(max_length_each=200, max_count=5),
    }
    wire = {
        "tone": {"categorical": {"options": ["formal", "casual"]}},
        "topics": {"categorical_list": {"options": ["billing", "login", "shipping"]}},
        "score": {"numeric": {"min_value": 1.0, "max_value": 5.0}},
        "summary": {"text": {"max_length": 300}},
        "facts": {"text_list": {"max_length_each": 200, "max_count": 5}},
    }
    for name, input_obj in cases.items():
        created = schemas.create_label_schema(
            name=name,
            type="expectation" if name in ("summary", "facts") else "feedback",
            title=f"Question about {name}",
            input=input_obj,
            instruction=f"How to answer {name}",
            enable_comment=name == "tone",
        )
        assert created.input == input_obj and created.title == f"Question about {name}"
        got = schemas.get_label_schema(name)
        assert (got.schema_id, got.input, got.title, got.instruction, got.enable_comment) == (
            created.schema_id,
            input_obj,
            f"Question about {name}",
            f"How to answer {name}",
            name == "tone",
        )
        oss = rest.schema(experiment_id, name)["label_schema"]
        assert oss["schema_id"] == created.schema_id and oss["title"] == f"Question about {name}"
    app = {s["name"]: s for s in rest.review_app(experiment_id)["labeling_schemas"]}
    for name, want in wire.items():
        s = app[name]
        (key,) = want
        assert s[key] == want[key], (name, s)
        assert s["title"] == f"Question about {name}" and s["instruction"] == f"How to answer {name}"
        assert s["type"] == ("EXPECTATION" if name in ("summary", "facts") else "FEEDBACK")
        assert s["enable_comment"] is (name == "tone")

    # overwrite=True changes it in place; the type cannot change
    first = app["tone"]["schema_id"]
    schemas.create_label_schema(
        name="tone", type="feedback", title="Tone?", input=schemas.InputCategorical(options=["a", "b", "c"]),
        overwrite=True,
    )
    tone = rest.schema(experiment_id, "tone")["label_schema"]
    assert tone["schema_id"] == first and tone["title"] == "Tone?"
    assert tone["input"]["categorical"]["options"] == ["a", "b", "c"]
    assert not tone["enable_comment"]
    with pytest.raises(MlflowException) as e:
        schemas.create_label_schema(
            name="tone", type="expectation", title="Tone?", input=schemas.InputText(), overwrite=True
        )
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    # a session can use them
    s = labeling.create_labeling_session(name="schemas session", label_schemas=list(cases))
    assert [x["name"] for x in rest.session(s.labeling_session_id)["labeling_schemas"]] == list(cases)

    # delete by name
    assert schemas.delete_label_schema("summary") is None
    rest.schema(experiment_id, "summary", expect=404)
    with pytest.raises(MlflowException, match="Label schema with name `summary` not found") as e:
        schemas.get_label_schema("summary")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"

    # the OSS forms still run MLflow's own code (a plain LabelSchema, no title)
    oss = schemas.create_label_schema(name="plain", type="feedback", input=schemas.InputText())
    assert type(oss).__name__ == "LabelSchema" and oss.schema_id.startswith("ls-")
    assert schemas.get_label_schema("plain", experiment_id=experiment_id).schema_id == oss.schema_id
    assert schemas.delete_label_schema(schema_id=oss.schema_id) is None
    rest.schema(experiment_id, "plain", expect=404)


# ------------------------------------------------------------------ credentials


def test_credentials_from_mlflow_environment(experiment_id, assay, rest, monkeypatch):
    token = rest("POST", "/api/assay/v1/tokens", body={"name": "bridge-auth"}, expect=201)["token"]
    s = labeling.create_labeling_session(name="auth", label_schemas=["expected_facts"])

    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", token)
    assert [x.labeling_session_id for x in labeling.get_labeling_sessions()] == [s.labeling_session_id]
    s.set_assigned_users(["token@company.com"])
    assert rest.session(s.labeling_session_id)["assigned_users"] == ["token@company.com"]

    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", token + "-wrong")
    with pytest.raises(MlflowException) as e:
        labeling.get_labeling_sessions()
    assert e.value.error_code == "UNAUTHENTICATED"
    with pytest.raises(MlflowException) as e:
        s.set_assigned_users(["nobody@company.com"])
    assert e.value.error_code == "UNAUTHENTICATED"
    with pytest.raises(MlflowException) as e:
        schemas.create_label_schema(
            name="x", type="feedback", title="x", input=schemas.InputText(), overwrite=True
        )
    assert e.value.error_code == "UNAUTHENTICATED"
    rest.schema(experiment_id, "x", expect=404)
    monkeypatch.delenv("MLFLOW_TRACKING_TOKEN")

    # HTTP Basic: Assay takes an API token as the password
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", LOCAL_ADMIN)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", token)
    s.set_assigned_users(["basic@company.com"])
    assert rest.session(s.labeling_session_id)["assigned_users"] == ["basic@company.com"]
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "wrong")
    with pytest.raises(MlflowException) as e:
        s.set_assigned_users(["nobody@company.com"])
    assert e.value.error_code == "UNAUTHENTICATED"
    assert rest.session(s.labeling_session_id)["assigned_users"] == ["basic@company.com"]


# ------------------------------------------------------------------ not an Assay server


class _NotAssay(http.server.BaseHTTPRequestHandler):
    def _answer(self):
        body = b'{"error_code": "ENDPOINT_NOT_FOUND", "message": "no such endpoint"}'
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, *args):
        pass


def test_other_http_servers_keep_mlflows_behaviour(assay):
    """On an http URI that is not Assay, sessions fail clearly and label schemas are MLflow's."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotAssay)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        mlflow.set_tracking_uri(f"http://127.0.0.1:{port}")
        with pytest.raises(MlflowException, match="is not an Assay server") as e:
            _store_for_current_uri().get_labeling_sessions(experiment_id="1")
        assert e.value.error_code == "ENDPOINT_NOT_FOUND"
        # label schemas: MLflow's own client-side refusal, exactly as without the bridge
        with pytest.raises(MlflowException, match="`title` is only supported on a Databricks"):
            schemas.create_label_schema(
                name="q", type="feedback", title="Q", input=schemas.InputText(), experiment_id="1"
            )
    finally:
        mlflow.set_tracking_uri(assay)
        server.shutdown()
        server.server_close()


def _store_for_current_uri():
    from mlflow.genai.labeling.stores import _get_labeling_store

    return _get_labeling_store()
