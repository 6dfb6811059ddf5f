"""The journey store when it cannot be opened or its lock is held (issue 15): opening fails fast with the store's path
and the reason (and `claimtriage serve` checks it before starting a worker), a worker without its store triages
without journeys instead of crashing, and every wait for the write lock is bounded well under the request timeout,
after which the contact is answered without a journey (`store_unavailable`)."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timezone

import numpy as np
import pytest
import sqlalchemy as sa

from claimtriage.data.journeys.identity import identity_keys
from claimtriage.data.journeys.store import (DEFAULT_BUSY_TIMEOUT_S, ContactRecord, JourneyStore, StoreBusy,
                                            StoreError)
from claimtriage.data.schema import CustomerIdentifiers

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


def _record(cid: str) -> ContactRecord:
    return ContactRecord(id=cid, channel="email", timestamp=T0, language="it", claim_type="billing_dispute",
                         scores={}, redacted_text=f"text of {cid}")


def _keys():
    return identity_keys(CustomerIdentifiers(email="anna@libero.it"))


def _engine(store=None, store_url=None):
    from claimtriage.serving.engine import TriageEngine
    from claimtriage.serving.policy import load_policy

    return TriageEngine(None, store=store, store_url=store_url, policy=load_policy(), model_version="test")


def _decide(engine, cid: str):
    from claimtriage.data.schema import Contact
    from claimtriage.models.triage_model import ContactScores

    contact = Contact.model_validate({"id": cid, "channel": "email", "timestamp": T0,
                                      "customer": {"email": "anna@libero.it"}, "body": "La bolletta è sbagliata"})
    scores = ContactScores(contact_id=cid, language="it", claim="billing_dispute", claim_confidence=0.9,
                           claim_top_k=[("billing_dispute", 0.9)], sentiment="neutral", sentiment_score=0.0,
                           complexity="low", complexity_score=0.1, embedding=np.ones(4, np.float32) / 2)
    return engine.decide(contact, scores)


@pytest.fixture()
def unopenable(tmp_path):
    """A SQLite URL whose folder cannot be made: its parent is a file (an unwritable path, even for root)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    return f"sqlite:///{blocker / 'journeys.db'}", str(blocker / "journeys.db")


# ---- opening -------------------------------------------------------------------------------------------------------
@pytest.mark.unit
def test_an_unopenable_sqlite_store_fails_fast_with_its_path_and_reason(unopenable, tmp_path):
    url, path = unopenable
    started = time.perf_counter()
    with pytest.raises(StoreError) as caught:
        JourneyStore.open(url)
    assert time.perf_counter() - started < 5
    assert path in str(caught.value) and "cannot be opened" in str(caught.value)
    assert "Error" in str(caught.value)  # the reason's kind (here the folder that cannot be made)
    folder = tmp_path / "a-folder.db"
    folder.mkdir()  # a folder where the database file should be
    with pytest.raises(StoreError, match="a-folder.db cannot be opened: OperationalError"):
        JourneyStore.open(f"sqlite:///{folder}")


@pytest.mark.unit
def test_a_file_that_is_no_database_is_a_store_error(tmp_path):
    path = tmp_path / "journeys.db"
    path.write_bytes(b"this is not a database, " * 100)
    with pytest.raises(StoreError, match="journeys.db cannot be opened"):
        JourneyStore.open(f"sqlite:///{path}")


@pytest.mark.unit
def test_an_unreachable_server_is_a_store_error_without_the_password():
    started = time.perf_counter()
    with pytest.raises(StoreError) as caught:
        JourneyStore.open("postgresql+psycopg://claimtriage:s3cret@127.0.0.1:1/claimtriage")  # nothing listens
    assert time.perf_counter() - started < 10
    assert "127.0.0.1:1" in str(caught.value) and "s3cret" not in str(caught.value)


@pytest.mark.unit
def test_a_worker_without_its_store_triages_without_journeys_and_says_why(unopenable):
    url, path = unopenable
    engine = _engine(store_url=url)
    assert engine.connect_store() is False  # no exception: the worker starts (and /readyz answers) without it
    readiness = engine.readiness()
    assert readiness["store"] is False and path in readiness["store_error"]
    answer = _decide(engine, "c1")
    assert answer.journey.status == "store_unavailable" and "NO_JOURNEY" in {r.code for r in answer.route.reasons}


@pytest.mark.unit
def test_serve_checks_the_store_before_starting(unopenable, tmp_path):
    import typer

    from claimtriage.serving.cli import check_store
    from claimtriage.serving.config import ServiceSettings

    url, path = unopenable
    with pytest.raises(typer.BadParameter, match=f"--store {url}: journey store {path} cannot be opened"):
        check_store(ServiceSettings(store_url=url))
    good = tmp_path / "ok" / "journeys.db"
    check_store(ServiceSettings(store_url=f"sqlite:///{good}"))  # creates the store, as the worker would
    assert good.is_file()


# ---- lock waits -----------------------------------------------------------------------------------------------------
@pytest.mark.unit
def test_the_busy_timeout_is_short_of_the_request_timeout_and_configurable(tmp_path, monkeypatch):
    from claimtriage.serving.config import ServiceSettings

    url = f"sqlite:///{tmp_path / 'journeys.db'}"
    store = JourneyStore.open(url)
    assert store.busy_timeout_s == DEFAULT_BUSY_TIMEOUT_S <= ServiceSettings().timeout_s / 4
    store.close()
    assert JourneyStore.open(url, busy_timeout_s=1.5).busy_timeout_s == 1.5
    assert JourneyStore.open(url + "?timeout=0.5").busy_timeout_s == 0.5  # SQLite's own URL parameter
    monkeypatch.setenv("CLAIMTRIAGE_STORE_BUSY_TIMEOUT_S", "2")
    assert JourneyStore.open(url).busy_timeout_s == 2
    monkeypatch.setenv("CLAIMTRIAGE_STORE_BUSY_TIMEOUT_S", "forever")
    with pytest.raises(StoreError, match="CLAIMTRIAGE_STORE_BUSY_TIMEOUT_S='forever'"):
        JourneyStore.open(url)


@pytest.mark.unit
def test_a_sqlite_lock_held_elsewhere_degrades_to_store_unavailable_within_the_timeout(tmp_path):
    path = tmp_path / "journeys.db"
    store = JourneyStore.open(f"sqlite:///{path}", busy_timeout_s=0.3)
    other = sqlite3.connect(path, isolation_level=None)  # another process's writer, stuck in its transaction
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.perf_counter()
        with pytest.raises(sa.exc.OperationalError, match="locked"):
            store.record(_record("c1"), _keys())
        answer = _decide(_engine(store), "c2")
        assert time.perf_counter() - started < 3
        assert answer.journey.status == "store_unavailable"
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _decide(_engine(store), "c3").journey.status == "new_customer"  # the lock is free again
    store.close()


@pytest.mark.unit
def test_a_writer_of_this_process_holding_the_lock_makes_others_wait_the_timeout_only(tmp_path):
    store = JourneyStore.open(f"sqlite:///{tmp_path / 'journeys.db'}", busy_timeout_s=0.3)
    holding, release = threading.Event(), threading.Event()

    def hold():
        with store.transaction():
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(5)
        started = time.perf_counter()
        with pytest.raises(StoreBusy, match="not free within 0.3 s"):
            store.record(_record("c1"), _keys())
        assert time.perf_counter() - started < 2
        assert _decide(_engine(store), "c2").journey.status == "store_unavailable"
    finally:
        release.set()
        holder.join()
    store.close()


@pytest.mark.service
def test_a_postgresql_lock_held_elsewhere_is_waited_for_the_timeout_only(pg_url):
    store = JourneyStore.open(pg_url, busy_timeout_s=0.5)
    other = sa.create_engine(pg_url)
    outcome: list[BaseException | None] = []

    def write():
        try:
            store.record(_record("c1"), _keys())
            outcome.append(None)
        except BaseException as err:  # noqa: BLE001 - reported to the test thread
            outcome.append(err)

    with other.connect() as conn:
        conn.begin()
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(724311901)"))  # the store's write lock, held
        writer = threading.Thread(target=write, daemon=True)
        started = time.perf_counter()
        writer.start()
        writer.join(10)
        assert not writer.is_alive(), "the write waited for the lock without a bound"
        assert time.perf_counter() - started < 5
        conn.rollback()
    assert isinstance(outcome[0], sa.exc.OperationalError) and "lock timeout" in str(outcome[0])
    assert store.record(_record("c2"), _keys()).status == "new_customer"  # the lock is free again
    store.close()
    other.dispose()
