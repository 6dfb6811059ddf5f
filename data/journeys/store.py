"""The journey store: customers, their identifiers, claims and contacts, behind one interface.

Embedded default: SQLite in WAL mode (a file in the workspace, `journeys.db`); a server database (PostgreSQL) by URL,
through SQLAlchemy, with the same tables. The schema carries a version; opening a store written by a newer version
fails with a clear error instead of corrupting it.

Every contact is written in one transaction (identity, merges, claim, contact row, route): either all of it is
committed before the answer leaves, or none of it is. Writes are serialised (SQLite: `BEGIN IMMEDIATE`; PostgreSQL:
a transaction-scoped advisory lock), so two workers never create the same customer twice. Only redacted text is
stored.

Faults: a store that cannot be opened (an unwritable or missing directory, a file that is no database, a server
that does not answer) raises `StoreError` naming the store and the reason, so `claimtriage serve` stops before it
starts a worker and a worker runs on without journeys instead of crashing. Every wait for the write lock is bounded
by the busy timeout (default 5 s, well under the 30 s request timeout; `busy_timeout_s`, else the environment's
`CLAIMTRIAGE_STORE_BUSY_TIMEOUT_S`; on SQLite a `?timeout=` in the URL wins): the thread lock in this process,
SQLite's busy handler, PostgreSQL's `lock_timeout`, connecting and the connection pool. A wait that runs out raises
(StoreError or a database error) and the engine answers that contact without a journey (`store_unavailable`).

    with store.transaction() as tx:
        state = tx.link(record, keys)          # customer, claim, earlier contacts
        tx.save(record, state, route)          # the contact row, with the route decided on `state`

Identifiers at rest: every identifier key and customer code is stored as a keyed hash (`identity.KeyHasher`), never as
the email, phone or code itself. The secret comes from `CLAIMTRIAGE_IDENTIFIER_KEY` (hex or text, at least 16 bytes),
else from a key file created once with owner-only permissions (`<database>.key` beside a SQLite file, `identifier.key`
in the workspace for a server database); an in-memory store draws its own. The store keeps the key's fingerprint and
refuses to open with another key (every customer would become a stranger). A store written before schema version 4
holds raw identifiers: they are hashed in place the first time it is opened.
"""

from __future__ import annotations

import math
import os
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from claimtriage.data.journeys import directory as _directory
from claimtriage.data.journeys import feedback as _feedback
from claimtriage.data.journeys import merges as _merges
from claimtriage.data.journeys.directory import DirectoryEntry, ImportReport
from claimtriage.data.journeys import reads
from claimtriage.data.journeys.identity import IdentityKeys, KeyHasher
from claimtriage.data.journeys.linking import LinkingConfig
from claimtriage.data.journeys.records import ContactRecord, DuplicateContact, JourneyState, PriorContact
from claimtriage.data.journeys.tables import (SCHEMA_VERSION, contacts, customers, identifiers, metadata, schema_info,
                                              store_settings, written_identifiers)
from claimtriage.data.journeys.writes import JourneyTransaction
from claimtriage.data.paths import workspace_dir

__all__ = ["ContactRecord", "DuplicateContact", "JourneyState", "JourneyStore", "JourneyTransaction", "PriorContact",
           "SCHEMA_VERSION", "SchemaVersionError", "StoreBusy", "StoreError", "default_url", "metadata", "schema_info"]

_ADVISORY_LOCK = 724_311_901  # an arbitrary constant: the write lock of the journey store on PostgreSQL

BUSY_TIMEOUT_ENV = "CLAIMTRIAGE_STORE_BUSY_TIMEOUT_S"
IDENTIFIER_KEY_ENV = "CLAIMTRIAGE_IDENTIFIER_KEY"
#: seconds a write waits for the store's lock before giving up (the request timeout is 30 s)
DEFAULT_BUSY_TIMEOUT_S = 5.0


class StoreError(RuntimeError):
    """The store cannot be reached or used; triage goes on without a journey."""


class SchemaVersionError(StoreError):
    pass


class StoreBusy(StoreError):
    """The write lock was not free within the busy timeout."""


def default_url() -> str:
    return f"sqlite:///{workspace_dir() / 'journeys.db'}"


def busy_timeout(seconds: float | None = None) -> float:
    """The write lock's longest wait: `seconds`, else `CLAIMTRIAGE_STORE_BUSY_TIMEOUT_S`, else 5 s."""
    if seconds is None:
        raw = os.environ.get(BUSY_TIMEOUT_ENV, "")
        try:
            seconds = float(raw) if raw.strip() else DEFAULT_BUSY_TIMEOUT_S
        except ValueError:
            raise ValueError(f"{BUSY_TIMEOUT_ENV}={raw!r}: give seconds, e.g. 5") from None
    if not 0 < seconds <= 3600:
        raise ValueError(f"busy timeout {seconds!r} s: give seconds between 0 and 3600")
    return float(seconds)


def identifier_secret(url: str) -> bytes:
    """The identifier key: `CLAIMTRIAGE_IDENTIFIER_KEY`, else a key file made once (see the module docstring)."""
    raw = os.environ.get(IDENTIFIER_KEY_ENV, "").strip()
    if raw:
        try:
            secret = bytes.fromhex(raw)
        except ValueError:
            secret = raw.encode("utf-8")
        if len(secret) < 16:
            raise ValueError(f"{IDENTIFIER_KEY_ENV}: give at least 16 bytes (e.g. 64 hex digits)")
        return secret
    if url in (":memory:", "sqlite://", "sqlite:///:memory:"):
        return os.urandom(32)
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        path = Path(parsed.database + ".key")
    else:
        path = workspace_dir() / "identifier.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker may be writing it this instant
            text = path.read_text(encoding="ascii").strip()
            if text:
                return bytes.fromhex(text)
            threading.Event().wait(0.02)
        raise ValueError(f"identifier key file {path} is empty") from None
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(os.urandom(32).hex() + "\n")
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


class JourneyStore:
    """Customers, identifiers, claims and contacts in SQLite or PostgreSQL."""

    def __init__(self, engine: Engine, linking: LinkingConfig | None = None, *,
                 busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S, hasher: KeyHasher | None = None) -> None:
        self.engine = engine
        self.linking = linking or LinkingConfig()
        self.busy_timeout_s = busy_timeout_s
        self.hasher = hasher or KeyHasher(os.urandom(32))
        self._sqlite = engine.dialect.name == "sqlite"
        self._lock = threading.Lock()  # one writer per process; the database serialises processes
        self._migrate()

    # ---- opening -------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str | None = None, *, linking: LinkingConfig | None = None,
             busy_timeout_s: float | None = None) -> JourneyStore:
        """`url`: an SQLAlchemy URL (sqlite:///path, postgresql+psycopg://...), `:memory:`, or None for the embedded
        default in the workspace. `busy_timeout_s`: the longest wait for the write lock (None: the environment's
        `CLAIMTRIAGE_STORE_BUSY_TIMEOUT_S`, else 5 s). StoreError, naming the store and the reason, when it cannot
        be opened."""
        url = url or default_url()
        shown = url
        try:
            busy = busy_timeout(busy_timeout_s)
            if url in (":memory:", "sqlite://", "sqlite:///:memory:"):
                engine = sa.create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
            elif url.startswith("sqlite"):
                parsed = sa.engine.make_url(url)
                shown = parsed.database or url
                if "timeout" in parsed.query:  # the URL's own busy timeout (pysqlite reads it) wins
                    busy = float(parsed.query["timeout"])
                if parsed.database:
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": busy})
            else:
                parsed = sa.engine.make_url(url)
                shown = parsed.render_as_string(hide_password=True)
                connect_args = {}
                if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
                    connect_args["connect_timeout"] = max(2, math.ceil(busy))  # libpq: whole seconds, 2 at least
                engine = sa.create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=4, pool_timeout=busy,
                                          connect_args=connect_args)
            if engine.dialect.name == "sqlite":
                _sqlite_pragmas(engine)
            return cls(engine, linking, busy_timeout_s=busy, hasher=KeyHasher(identifier_secret(url)))
        except StoreError as err:  # a schema version this claimtriage does not read, ...
            raise type(err)(f"journey store {shown}: {err}") from err
        except (OSError, ValueError, sa.exc.SQLAlchemyError) as err:
            reason = getattr(err, "orig", None) or err
            raise StoreError(f"journey store {shown} cannot be opened: {type(reason).__name__}: {reason}") from err

    def close(self) -> None:
        self.engine.dispose()

    def _migrate(self) -> None:
        with self._write() as conn:
            inspector = sa.inspect(conn)
            if not inspector.has_table("schema_info"):
                metadata.create_all(conn)
                conn.execute(schema_info.insert().values(version=SCHEMA_VERSION))
                conn.execute(store_settings.insert().values(name="identifier_key_check", value=self.hasher.check()))
                return
            version = conn.execute(sa.select(schema_info.c.version)).scalar_one()
            if version > SCHEMA_VERSION:
                raise SchemaVersionError(f"the journey store has schema version {version}; this claimtriage reads "
                                         f"up to {SCHEMA_VERSION}: upgrade claimtriage")
            metadata.create_all(conn)  # tables added by later versions
            if version < 2 and "content_hash" not in {c["name"] for c in inspector.get_columns("contacts")}:
                # version 2: contacts carry the hash of their content; those stored before keep none (NULL), and a
                # retry of one of them counts as the same contact
                column = contacts.c.content_hash
                conn.execute(sa.text(f"ALTER TABLE contacts ADD COLUMN content_hash "
                                     f"{column.type.compile(dialect=conn.dialect)}"))
            check = conn.execute(sa.select(store_settings.c.value).where(
                store_settings.c.name == "identifier_key_check")).scalar_one_or_none()
            if check is None:  # before version 4: raw identifiers, hashed now, once
                self._hash_identifiers(conn)
                conn.execute(store_settings.insert().values(name="identifier_key_check", value=self.hasher.check()))
            elif check != self.hasher.check():
                raise StoreError(f"the journey store was written with another identifier key: set "
                                 f"{IDENTIFIER_KEY_ENV} (or restore the key file) to the key it was written with")
            if version < SCHEMA_VERSION:
                conn.execute(schema_info.update().values(version=SCHEMA_VERSION))

    def _hash_identifiers(self, conn: Connection) -> None:
        """Schema version 4: every stored identifier and customer code becomes its keyed hash."""
        key = self.hasher.key
        for table in (identifiers, written_identifiers):
            column = table.c.key
            for (raw,) in conn.execute(sa.select(column).distinct()).all():
                if key(raw) != raw:
                    conn.execute(table.update().where(column == raw).values(key=key(raw)))
        for customer, code in conn.execute(sa.select(customers.c.key, customers.c.customer_id)
                                           .where(customers.c.customer_id.is_not(None))).all():
            hashed = key(f"cid:{code}").removeprefix("cid:")
            if hashed != code:
                conn.execute(customers.update().where(customers.c.key == customer).values(customer_id=hashed))

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
        """A serialised write transaction: committed when the block ends, rolled back when it raises. Waits for the
        lock at most `busy_timeout_s` (StoreBusy, or the database's own lock-timeout error)."""
        if not self._lock.acquire(timeout=self.busy_timeout_s):
            raise StoreBusy(f"the journey store's write lock was not free within {self.busy_timeout_s:g} s")
        try:
            conn = self.engine.connect()
            try:
                if self._sqlite:
                    conn.info["immediate"] = True  # read by the "begin" listener: take the write lock now
                    conn.begin()
                else:
                    conn.begin()
                    # PostgreSQL: a bounded wait for the advisory lock (and any row lock) in this transaction
                    conn.execute(sa.text(f"SET LOCAL lock_timeout = '{int(self.busy_timeout_s * 1000)}ms'"))
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
        finally:
            self._lock.release()

    @contextmanager
    def transaction(self) -> Iterator[JourneyTransaction]:
        """One contact's write: `tx.link(record, keys)`, then `tx.save(record, state, route)`. All or nothing: an
        exception in the block (a store error, a crash while routing) rolls back everything it linked, and so does
        a contact linked but not saved."""
        with self._write() as conn:
            tx = JourneyTransaction(conn, self.linking, self.hasher)
            yield tx
            if tx.unsaved:
                raise RuntimeError(f"contacts linked but not saved: {tx.unsaved}; nothing of them was stored")

    def record(self, record: ContactRecord, keys: IdentityKeys) -> JourneyState:
        """Link and save a contact without a route, in one transaction (history imports, tests)."""
        with self.transaction() as tx:
            state = tx.link(record, keys)
            tx.save(record, state)
        return state

    def import_customers(self, entries: Iterable[DirectoryEntry],
                         report: ImportReport | None = None) -> ImportReport:
        """Seed the store with a customer directory (`directory.import_file` reads one), in one transaction."""
        with self._write() as conn:
            return _directory.import_entries(conn, entries, self.hasher, report or ImportReport())

    def merge_customers(self, keep: str, absorb: str, *, reason: str) -> dict[str, Any]:
        """A person confirmed that `absorb` is the customer `keep` (a candidate merge reviewed): its identifiers,
        claims and contacts move to `keep` in one transaction, recorded with `reason` (`merges.merge_customers`).
        MergeRefused, with nothing changed, when it cannot be made."""
        now = datetime.now(timezone.utc)
        with self._write() as conn:
            return _merges.merge_customers(conn, keep, absorb, reason=reason, now=now)

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
