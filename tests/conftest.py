"""Test-wide settings and shared fixtures.

Every test has exactly one kind, a registered marker (a test with none, or with two, fails at setup):

- ``unit``: pure code. No trained model, no server, no database server, no shared datasets; seconds in all.
- ``data``: expectations on data: schemas, label sets, shares, leakage between splits, the public sets in
  ``../shared/datasets`` (those also carry ``shared_data``) and the synthetic demo corpus.
- ``model``: the behaviour of a trained model (or of the encoder): invariance, directional checks, save -> load ->
  same predictions, training, fine-tuning, promotion, the engine around the model.
- ``service``: the HTTP service through ``to_asgi()`` or a real ``claimtriage serve``, PostgreSQL, Chromium.

``slow`` marks what trains on full sets or fine-tunes an encoder for long; each slow test has a fast twin on a slice
that checks the same behaviour, so the default selection (``-m 'not slow'``, in pyproject) keeps the coverage.

    make test-fast   unit tests only (pytest -m unit): no services, no trained model, well under 30 s
    make test        lint-imports, then the complete default suite (every kind, not slow) with Chromium and a
                     PostgreSQL server (tests/services.sh); what CI runs
    make test-all    the same plus the slow tests

This module imports nothing heavy at import time (training, torch, sentence-transformers, mlflow): fixtures import
what they need, so ``pytest -m unit`` starts in a couple of seconds.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys

import pytest

from claimtriage.data.paths import OFFLINE_DEFAULTS

for _key, _value in OFFLINE_DEFAULTS.items():
    os.environ.setdefault(_key, _value)

KINDS = ("unit", "data", "model", "service")


def pytest_runtest_setup(item):
    kinds = sorted({mark.name for mark in item.iter_markers() if mark.name in KINDS})
    if len(kinds) != 1:
        pytest.fail(f"{item.nodeid} has {'the kinds ' + ', '.join(kinds) if kinds else 'no kind'}: every test needs "
                    f"exactly one of the markers {', '.join(KINDS)} (see tests/conftest.py)", pytrace=False)


# ---- one small demo corpus and one trained model per test session, shared by every module that needs them ----
HEADS = {
    "claim": {"label": "claim", "oos_accept_rate": 0.97, "head": {"C": 10, "sparse": {"word_ngrams": [1, 2], "char_ngrams": [2, 4]}}},
    "sentiment": {"label": "sentiment", "head": {"C": 4, "sparse": {"word_ngrams": [1, 2], "char_ngrams": None}}},
    "complexity": {"label": "complexity", "text": "first_customer_turn"},
}


@pytest.fixture(scope="session")
def workspace(tmp_path_factory):
    """The session's CLAIMTRIAGE_HOME: embedding and ONNX caches, journey stores, and the session's MLflow store
    (the embedded default there, named in MLFLOW_TRACKING_URI so that MLflow finds it before anyone connects)."""
    home = tmp_path_factory.mktemp("workspace")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLAIMTRIAGE_HOME", str(home))
        patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{home / 'mlflow.db'}")
        yield home


@pytest.fixture(scope="session")
def corpus(workspace):
    from claimtriage.data.demo import write_demo

    return write_demo(workspace / "corpus", n_contacts=800, seed=3)


def _config(corpus, name: str, *, limit: int | None = None, C: float = 10, registered_model: str = "tests-model"):
    from claimtriage.training.config import TrainConfig

    heads = {k: {**v, "sources": [{"source": str(corpus), **({"limit": limit} if limit else {})}]} for k, v in HEADS.items()}
    heads["claim"]["head"] = {**heads["claim"]["head"], "C": C}
    return TrainConfig.model_validate({
        "name": name, "split": {"validation": 0.15, "test": 0.2, "group_by": "customer"}, "heads": heads,
        "tracking": {"experiment": "tests", "registered_model": registered_model},
    })


@pytest.fixture(scope="session")
def trained(corpus, workspace):
    """The session's model, trained once: an MLflow run in the session's store (`trained.run_id`), registered there
    as tests-model version 1, alias candidate, which no test changes. A module that registers or promotes models
    does so in its own store (`own_registry`)."""
    from claimtriage.training.train import train

    with tracking_store(f"sqlite:///{workspace / 'mlflow.db'}"):  # the session's, whichever module asks first
        return train(_config(corpus, "session"), output_dir=workspace / "models" / "session", track=True)


@pytest.fixture(scope="session")
def trained_model(trained):
    """The session's trained TriageModel (the same object as `trained.model`)."""
    return trained.model


@contextlib.contextmanager
def engine_with_store(model, folder, model_version: str):
    """A TriageEngine over `model` with a fresh SQLite journey store in `folder`, closed afterwards (the service
    test modules' engines)."""
    from claimtriage.serving.engine import TriageEngine

    engine = TriageEngine(model, model_version=model_version, store_url=f"sqlite:///{folder / 'journeys.db'}")
    assert engine.connect_store()
    try:
        yield engine
    finally:
        engine.store.close()


@pytest.fixture(scope="session")
def corpus_contacts(corpus):
    """The session corpus as Contact objects, in time order."""
    from claimtriage.data.io import read_contacts

    return sorted(read_contacts(corpus).contacts, key=lambda c: c.timestamp)


@pytest.fixture(scope="module")
def own_registry(workspace, tmp_path_factory):
    """A fresh MLflow tracking store and model registry for the requesting module (MLFLOW_TRACKING_URI, for this
    process and the servers it starts), so what it registers or promotes is its own. The caches stay the session's
    (they live in CLAIMTRIAGE_HOME), so nothing is encoded twice. Yields the tracking URI."""
    with tracking_store(f"sqlite:///{tmp_path_factory.mktemp('registry') / 'mlflow.db'}") as uri:
        yield uri


@contextlib.contextmanager
def tracking_store(uri: str):
    """MLFLOW_TRACKING_URI is `uri` inside; afterwards MLflow forgets it (connect() makes it current and sets the
    variable too) and the variable is back as it was."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        try:
            yield uri
        finally:
            mlflow = sys.modules.get("mlflow")
            if mlflow is not None:
                mlflow.set_tracking_uri(None)


# ---- PostgreSQL: a database of our own on the server that CLAIMTRIAGE_TEST_PG_URL names -------------------------
@pytest.fixture(scope="session")
def pg_server():
    """An AUTOCOMMIT engine on CLAIMTRIAGE_TEST_PG_URL (tests/services.sh starts one and prints it), for creating
    and dropping the tests' own databases; the tests skip without one. Nothing that exists there is changed."""
    url = os.environ.get("CLAIMTRIAGE_TEST_PG_URL")
    if not url:
        pytest.skip("CLAIMTRIAGE_TEST_PG_URL not set (make test starts PostgreSQL and sets it)")
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        can_create = conn.exec_driver_sql(
            "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user").scalar()
    if not can_create:
        pytest.fail("the role in CLAIMTRIAGE_TEST_PG_URL may not create databases: the tests create one of their "
                    "own per test and drop it (tests/services.sh grants CREATEDB; or ALTER ROLE ... CREATEDB)")
    yield engine
    engine.dispose()


@pytest.fixture()
def pg_url(pg_server):
    """The URL of a fresh, uniquely named, empty database on the test server, dropped (WITH FORCE: a store a failed
    test left open does not block it) when the test ends. Only that database is ever dropped."""
    name = f"claimtriage_t_{os.getpid()}_{secrets.token_hex(4)}"
    with pg_server.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield pg_server.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with pg_server.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
