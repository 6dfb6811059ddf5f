"""The journey store: customers, their identifiers, claims and contacts, behind one interface.

Embedded default: SQLite in WAL mode (a file in the workspace, `journeys.db`); a server database (PostgreSQL) by URL,
through SQLAlchemy, with the same tables. The schema carries a version; opening a store written by a newer version
fails with a clear error instead of corrupting it.

Every contact is written in one transaction (identity, merges, claim, contact row, route): either all of it is
committed before the answer leaves, or none of it is. Writes are serialised (SQLite: `BEGIN IMMEDIATE`; PostgreSQL:
a transaction-scoped advisory lock), so two workers never create the same customer twice. Only redacted text is
stored.

    with store.transaction() as tx:
        state = tx.link(record, keys)          # customer, claim, earlier contacts
        tx.save(record, state, route)          # the contact row, with the route decided on `state`
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from claimtriage.data.journeys import feedback as _feedback
from claimtriage.data.journeys import reads
from claimtriage.data.journeys.identity import IdentityKeys
from claimtriage.data.journeys.linking import LinkingConfig
from claimtriage.data.journeys.records import ContactRecord, JourneyState, PriorContact
from claimtriage.data.journeys.tables import SCHEMA_VERSION, metadata, schema_info
from claimtriage.data.journeys.writes import JourneyTransaction
from claimtriage.data.paths import workspace_dir

__all__ = ["ContactRecord", "JourneyState", "JourneyStore", "JourneyTransaction", "PriorContact", "SCHEMA_VERSION",
           "SchemaVersionError", "StoreError", "default_url", "metadata", "schema_info"]

_ADVISORY_LOCK = 724_311_901  # an arbitrary constant: the write lock of the journey store on PostgreSQL


class StoreError(RuntimeError):
    """The store cannot be reached or used; triage goes on without a journey."""


class SchemaVersionError(StoreError):
    pass


def default_url() -> str:
    return f"sqlite:///{workspace_dir() / 'journeys.db'}"


class JourneyStore:
    """Customers, identifiers, claims and contacts in SQLite or PostgreSQL."""

    def __init__(self, engine: Engine, linking: LinkingConfig | None = None) -> None:
        self.engine = engine
        self.linking = linking or LinkingConfig()
        self._sqlite = engine.dialect.name == "sqlite"
        self._lock = threading.Lock()  # one writer per process; the database serialises processes
        self._migrate()

    # ---- opening -------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str | None = None, *, linking: LinkingConfig | None = None) -> JourneyStore:
        """`url`: an SQLAlchemy URL (sqlite:///path, postgresql+psycopg://...), `:memory:`, or None for the embedded
        default in the workspace."""
        url = url or default_url()
        if url in (":memory:", "sqlite://", "sqlite:///:memory:"):
            engine = sa.create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
        elif url.startswith("sqlite"):
            path = sa.engine.make_url(url).database
            if path:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        else:
            engine = sa.create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=4)
        if engine.dialect.name == "sqlite":
            _sqlite_pragmas(engine)
        try:
            return cls(engine, linking)
        except sa.exc.OperationalError as err:
            raise StoreError(f"journey store {engine.url.render_as_string(hide_password=True)} unreachable: "
                             f"{err.orig}") from err

    def close(self) -> None:
        self.engine.dispose()

    def _migrate(self) -> None:
        with self._write() as conn:
            inspector = sa.inspect(conn)
            if not inspector.has_table("schema_info"):
                metadata.create_all(conn)
                conn.execute(schema_info.insert().values(version=SCHEMA_VERSION))
                return
            version = conn.execute(sa.select(schema_info.c.version)).scalar_one()
            if version > SCHEMA_VERSION:
                raise SchemaVersionError(f"the journey store has schema version {version}; this claimtriage reads "
                                         f"up to {SCHEMA_VERSION}: upgrade claimtriage")
            metadata.create_all(conn)  # tables added by later versions; none are altered yet

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    # ---- writes --------------------------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A serialised write transaction: committed when the block ends, rolled back when it raises."""
        with self._lock:
            conn = self.engine.connect()
            try:
                if self._sqlite:
                    conn.info["immediate"] = True  # read by the "begin" listener: take the write lock now
                    conn.begin()
                else:
                    conn.begin()
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK})
            except BaseException:
                conn.close()
                raise
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            else:
                conn.commit()
            finally:
                conn.close()

    @contextmanager
    def transaction(self) -> Iterator[JourneyTransaction]:
        """One contact's write: `tx.link(record, keys)`, then `tx.save(record, state, route)`. All or nothing: an
        exception in the block (a store error, a crash while routing) rolls back everything it linked, and so does
        a contact linked but not saved."""
        with self._write() as conn:
            tx = JourneyTransaction(conn, self.linking)
            yield tx
            if tx.unsaved:
                raise RuntimeError(f"contacts linked but not saved: {tx.unsaved}; nothing of them was stored")

    def record(self, record: ContactRecord, keys: IdentityKeys) -> JourneyState:
        """Link and save a contact without a route, in one transaction (history imports, tests)."""
        with self.transaction() as tx:
            state = tx.link(record, keys)
            tx.save(record, state)
        return state

    def add_feedback(self, contact_id: str, **values: Any) -> dict[str, Any]:
        """Store an agent's correction of a stored contact. A resolved outcome closes the claim; a bot failure
        marks the contact so the next contact on the claim goes to a person."""
        now = datetime.now(timezone.utc)
        with self._write() as conn:
            return _feedback.add_feedback(conn, contact_id, now, **values)

    # ---- reads ---------------------------------------------------------------------------------------------
    def customer_of(self, contact_id: str) -> str | None:
        return reads.customer_of(self.engine, contact_id)

    def assignments(self) -> Iterator[tuple[str, str | None, str | None]]:
        """(contact id, customer key, claim id) of every stored contact."""
        return reads.assignments(self.engine)

    def journey(self, customer_key: str) -> dict[str, Any] | None:
        """A customer's claims with their contacts (redacted), newest claim first; None for an unknown key."""
        return reads.journey(self.engine, customer_key)

    def candidate_merges(self) -> list[dict[str, Any]]:
        return reads.candidate_merge_rows(self.engine)

    def counts(self) -> dict[str, int]:
        return reads.counts(self.engine)

    def labelled_feedback(self) -> list[dict[str, Any]]:
        """Every feedback row joined with the stored (redacted) contact, newest correction per contact last."""
        return _feedback.labelled_feedback(self.engine)


def _sqlite_pragmas(engine: Engine) -> None:
    """WAL (readers never block the writer), synchronous FULL (a committed contact survives a power cut), foreign
    keys on; the driver's own transaction handling off so that `BEGIN IMMEDIATE` is ours."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.pop("immediate", False) else "BEGIN")
