"""The journey store: customers, their identifiers, claims and contacts, behind one interface.

Embedded default: SQLite in WAL mode (a file in the workspace, `journeys.db`); a server database (PostgreSQL) by URL,
through SQLAlchemy, with the same tables. The schema carries a version; opening a store written by a newer version
fails with a clear error instead of corrupting it.

Every contact is written in one transaction (identity, merges, claim, contact row, route): either all of it is
committed before the answer leaves, or none of it is. Writes are serialised (SQLite: `BEGIN IMMEDIATE`; PostgreSQL:
a transaction-scoped advisory lock), so two workers never create the same customer twice. Only redacted text is
stored.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from claimtriage.data.journeys.identity import IdentityKeys, resolve
from claimtriage.data.journeys.linking import Incoming, LinkDecision, LinkingConfig, OpenClaim, choose_claim, is_stale
from claimtriage.data.paths import workspace_dir


SCHEMA_VERSION = 1
_ADVISORY_LOCK = 724_311_901  # an arbitrary constant: the write lock of the journey store on PostgreSQL


class StoreError(RuntimeError):
    """The store cannot be reached or used; triage goes on without a journey."""


class SchemaVersionError(StoreError):
    pass


metadata = sa.MetaData()

schema_info = sa.Table("schema_info", metadata, sa.Column("version", sa.Integer, nullable=False))

customers = sa.Table(
    "customers", metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("customer_id", sa.String(120), nullable=True, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

identifiers = sa.Table(
    "identifiers", metadata,
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("customer_key", sa.String(40), sa.ForeignKey("customers.key"), nullable=False, index=True),
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
)

candidate_merges = sa.Table(
    "candidate_merges", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("customer_key", sa.String(40), nullable=False, index=True),
    sa.Column("other_key", sa.String(40), nullable=False),
    sa.Column("contact_id", sa.String(200), nullable=False),
    sa.Column("reason", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

claims = sa.Table(
    "claims", metadata,
    sa.Column("id", sa.String(60), primary_key=True),
    sa.Column("customer_key", sa.String(40), sa.ForeignKey("customers.key"), nullable=False, index=True),
    sa.Column("claim_type", sa.String(120), nullable=True),
    sa.Column("status", sa.String(10), nullable=False),  # open | closed
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_contact_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("close_reason", sa.String(40), nullable=True),
    sa.Column("n_contacts", sa.Integer, nullable=False),
    sa.Column("centroid", sa.JSON, nullable=True),
    sa.Column("threads", sa.JSON, nullable=False),
    sa.Column("last_embedding", sa.JSON, nullable=True),
    sa.Column("last_channel", sa.String(20), nullable=True),
    sa.Column("last_outcome", sa.String(20), nullable=True),
    sa.Column("references", sa.JSON, nullable=False),  # hashed reference tokens (invoice, case numbers)
)

contacts = sa.Table(
    "contacts", metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("customer_key", sa.String(40), nullable=True, index=True),
    sa.Column("claim_id", sa.String(60), nullable=True, index=True),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
    sa.Column("language", sa.String(8), nullable=True),
    sa.Column("claim_type", sa.String(120), nullable=True),
    sa.Column("scores", sa.JSON, nullable=False),  # claim, confidence, sentiment(_score), complexity(_score), oos
    sa.Column("route", sa.JSON, nullable=True),  # target, queue, priority, reason codes
    sa.Column("bot_tried", sa.Boolean, nullable=False),
    sa.Column("resolved_by", sa.String(20), nullable=True),
    sa.Column("redacted_text", sa.Text, nullable=False),
    sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
)

feedback = sa.Table(
    "feedback", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("contact_id", sa.String(200), sa.ForeignKey("contacts.id"), nullable=False, index=True),
    sa.Column("claim", sa.String(120), nullable=True),
    sa.Column("complexity", sa.String(10), nullable=True),
    sa.Column("sentiment", sa.String(10), nullable=True),
    sa.Column("route_outcome", sa.String(30), nullable=True),
    sa.Column("agent", sa.String(120), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


class _Q:
    """The write path's statements, built once: building and coercing a statement costs more than running it on
    SQLite, and the store writes one contact per request."""

    contact_by_id = sa.select(contacts).where(contacts.c.id == sa.bindparam("b_id"))
    insert_contact = contacts.insert()
    owners = sa.select(identifiers.c.key, identifiers.c.customer_key).where(
        identifiers.c.key.in_(sa.bindparam("b_keys", expanding=True)))
    customer_ids = sa.select(customers.c.key, customers.c.customer_id).where(
        customers.c.key.in_(sa.bindparam("b_keys", expanding=True)))
    insert_customer = customers.insert()
    insert_identifier = identifiers.insert()
    insert_candidate = candidate_merges.insert()
    set_customer_id = customers.update().where(customers.c.key == sa.bindparam("b_key"),
                                                customers.c.customer_id.is_(None))
    open_claims = sa.select(claims).where(claims.c.customer_key == sa.bindparam("b_customer"),
                                          claims.c.status == "open").order_by(claims.c.opened_at)
    count_open = sa.select(sa.func.count()).select_from(claims).where(
        claims.c.customer_key == sa.bindparam("b_customer"), claims.c.status == "open")
    update_claim = claims.update().where(claims.c.id == sa.bindparam("b_id"))
    insert_claim = claims.insert()
    n_contacts = sa.select(claims.c.n_contacts).where(claims.c.id == sa.bindparam("b_id"))
    prior = sa.select(contacts).where(contacts.c.claim_id == sa.bindparam("b_claim")).order_by(
        contacts.c.timestamp, contacts.c.id)


@dataclass(frozen=True)
class ContactRecord:
    """What the store keeps of one contact: no raw customer text, only the redacted one."""

    id: str
    channel: str
    timestamp: datetime
    language: str | None
    claim_type: str | None  # the predicted claim type (None when out of scope)
    scores: dict[str, Any]
    redacted_text: str
    embedding: np.ndarray | None = None
    thread_id: str | None = None
    refers_back: bool = False
    claim_probabilities: dict[str, float] = field(default_factory=dict)
    references: frozenset[str] = frozenset()
    bot_tried: bool = False  # a bot took part in this contact (bot turns) ...
    resolved_by: str | None = None  # ... and who settled it, when the contact says (replays of history)

    def incoming(self) -> Incoming:
        """What claim linking reads of this contact."""
        return Incoming(channel=self.channel, timestamp=_utc(self.timestamp), claim_type=self.claim_type,
                        embedding=self.embedding, thread_id=self.thread_id, refers_back=self.refers_back,
                        claim_probabilities=self.claim_probabilities, references=self.references)


@dataclass
class PriorContact:
    id: str
    channel: str
    timestamp: datetime
    claim_type: str | None
    sentiment_score: float | None
    route_target: str | None
    bot_tried: bool
    resolved_by: str | None
    redacted_text: str


@dataclass
class JourneyState:
    """A contact's place in its customer's journey, as stored (after this contact)."""

    status: str  # linked | new_customer | no_identifier | store_unavailable
    customer_key: str | None = None
    claim_id: str | None = None
    new_claim: bool = False
    claim_type: str | None = None
    opened_at: datetime | None = None
    prior: list[PriorContact] = field(default_factory=list)  # earlier contacts of this claim, oldest first
    open_claims: int = 0  # the customer's open claims, this one included
    candidate_merges: int = 0
    link: LinkDecision | None = None
    already_stored: bool = False  # the contact id was stored before (a retry): nothing was written

    @property
    def linked(self) -> bool:
        return self.customer_key is not None


RouteFn = Callable[[JourneyState], dict[str, Any] | None]


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


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

    # ---- transactions --------------------------------------------------------------------------------------
    def _write(self):
        store = self

        class _Tx:
            def __enter__(self) -> Connection:
                store._lock.acquire()
                try:
                    self.conn = store.engine.connect()
                    if store._sqlite:
                        self.conn.info["immediate"] = True  # read by the "begin" listener: take the write lock now
                        self.conn.begin()
                    else:
                        self.conn.begin()
                        self.conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK})
                except BaseException:
                    store._lock.release()
                    raise
                return self.conn

            def __exit__(self, exc_type, exc, tb) -> None:
                try:
                    if exc_type is None:
                        self.conn.commit()
                    else:
                        self.conn.rollback()
                finally:
                    self.conn.close()
                    store._lock.release()

        return _Tx()

    # ---- the one write path ---------------------------------------------------------------------------------
    def record(self, record: ContactRecord, keys: IdentityKeys, route: RouteFn | None = None) -> JourneyState:
        """Link the contact to its customer and claim, store it with the route that `route(state)` decides, and
        return its journey state. All or nothing; a contact id already stored is not written again."""
        now = datetime.now(timezone.utc)
        ts = _utc(record.timestamp)
        with self._write() as conn:
            existing = conn.execute(_Q.contact_by_id, {"b_id": record.id}).mappings().first()
            if existing is not None:
                state = self._state_of(conn, existing)
                state.already_stored = True
                return state
            if keys.empty:
                state = JourneyState(status="no_identifier")
                route_info = route(state) if route else None
                conn.execute(_Q.insert_contact, self._contact_row(record, None, None, route_info, now))
                return state
            customer, status, n_conflicts = self._resolve(conn, record, keys, now)
            open_claims = self._open_claims(conn, customer, ts, now)
            decision = choose_claim(record.incoming(), open_claims, self.linking)
            if decision.claim_id is None:
                claim_id = self._new_claim(conn, customer, record, ts)
                prior: list[PriorContact] = []
                opened_at, claim_type = ts, record.claim_type
            else:
                claim_id = decision.claim_id
                claim = next(c for c in open_claims if c.id == claim_id)
                opened_at, claim_type = claim.opened_at, claim.claim_type
                prior = self._prior(conn, claim_id)
                self._extend_claim(conn, claim, record, ts)
            if record.resolved_by in ("bot", "agent"):
                conn.execute(_Q.update_claim, {"b_id": claim_id, "resolved_at": ts})
            n_open = conn.execute(_Q.count_open, {"b_customer": customer}).scalar_one()
            state = JourneyState(status=status, customer_key=customer, claim_id=claim_id,
                                 new_claim=decision.claim_id is None, claim_type=claim_type, opened_at=opened_at,
                                 prior=prior, open_claims=n_open, candidate_merges=n_conflicts, link=decision)
            route_info = route(state) if route else None
            conn.execute(_Q.insert_contact, self._contact_row(record, customer, claim_id, route_info, now))
            return state

    def _contact_row(self, record: ContactRecord, customer: str | None, claim_id: str | None,
                     route_info: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
        return dict(id=record.id, customer_key=customer, claim_id=claim_id, channel=record.channel,
                    timestamp=_utc(record.timestamp), language=record.language, claim_type=record.claim_type,
                    scores=record.scores, route=route_info, bot_tried=record.bot_tried,
                    resolved_by=record.resolved_by, redacted_text=record.redacted_text, stored_at=now)

    def _resolve(self, conn: Connection, record: ContactRecord, keys: IdentityKeys,
                 now: datetime) -> tuple[str, str, int]:
        rows = conn.execute(_Q.owners, {"b_keys": sorted(keys.strong)}).all() if keys.strong else []
        owners = {key: owner for key, owner in rows}
        cids = dict(conn.execute(_Q.customer_ids, {"b_keys": sorted(set(owners.values()))}).all()) if owners else {}
        cids = {k: (f"cid:{v}" if v else None) for k, v in cids.items()}
        res = resolve(keys, owners, cids)
        status = "linked"
        customer = res.customer
        if not customer:
            customer = self._new_customer(conn, now)
            status = "new_customer"
        for other in res.merge:
            self._merge(conn, keep=customer, gone=other)
        for other in res.conflicts:
            conn.execute(_Q.insert_candidate, dict(
                customer_key=customer, other_key=other, contact_id=record.id, created_at=now,
                reason="shares an identifier with a customer that holds another customer id"))
        if keys.customer_id:
            conn.execute(_Q.set_customer_id, {"b_key": customer, "customer_id": keys.customer_id.removeprefix("cid:")})
        new_keys = sorted(k for k in keys.strong if k not in owners)
        if new_keys:
            conn.execute(_Q.insert_identifier, [dict(key=k, customer_key=customer, first_seen=now) for k in new_keys])
        return customer, status, len(res.conflicts)

    def _new_customer(self, conn: Connection, now: datetime) -> str:
        key = _new_key("cust")  # never reused, even after a merge removes a customer
        conn.execute(_Q.insert_customer, dict(key=key, customer_id=None, created_at=now))
        return key

    def _merge(self, conn: Connection, *, keep: str, gone: str) -> None:
        gone_cid = conn.execute(sa.select(customers.c.customer_id).where(customers.c.key == gone)).scalar_one_or_none()
        for table in (identifiers, claims, contacts):
            conn.execute(table.update().where(table.c.customer_key == gone).values(customer_key=keep))
        conn.execute(candidate_merges.update().where(candidate_merges.c.customer_key == gone).values(customer_key=keep))
        conn.execute(customers.delete().where(customers.c.key == gone))
        if gone_cid:
            conn.execute(customers.update().where(customers.c.key == keep, customers.c.customer_id.is_(None))
                         .values(customer_id=gone_cid))

    def _open_claims(self, conn: Connection, customer: str, ts: datetime, now: datetime) -> list[OpenClaim]:
        rows = conn.execute(_Q.open_claims, {"b_customer": customer}).mappings().all()
        out = []
        for row in rows:
            claim = OpenClaim(id=row["id"], claim_type=row["claim_type"], opened_at=_utc(row["opened_at"]),
                              last_contact_at=_utc(row["last_contact_at"]),
                              centroid=np.asarray(row["centroid"], dtype=np.float32) if row["centroid"] else None,
                              threads=frozenset(row["threads"] or ()), resolved_at=_utc(row["resolved_at"]),
                              last_embedding=_vector(row["last_embedding"]), last_channel=row["last_channel"],
                              last_outcome=row["last_outcome"], references=frozenset(row["references"] or ()))
            if is_stale(claim, ts, self.linking):
                reason = "resolved" if claim.resolved_at is not None else "inactive"
                conn.execute(_Q.update_claim, {"b_id": claim.id, "status": "closed", "closed_at": ts,
                                               "close_reason": reason})
                continue
            out.append(claim)
        return out

    def _new_claim(self, conn: Connection, customer: str, record: ContactRecord, ts: datetime) -> str:
        claim_id = _new_key("claim")
        conn.execute(_Q.insert_claim, dict(
            id=claim_id, customer_key=customer, claim_type=record.claim_type, status="open", opened_at=ts,
            last_contact_at=ts, n_contacts=1,
            centroid=_json_vector(record.embedding), last_embedding=_json_vector(record.embedding),
            last_channel=record.channel, last_outcome=record.resolved_by, references=sorted(record.references),
            threads=[record.thread_id] if record.thread_id else []))
        return claim_id

    def _extend_claim(self, conn: Connection, claim: OpenClaim, record: ContactRecord, ts: datetime) -> None:
        n = conn.execute(_Q.n_contacts, {"b_id": claim.id}).scalar_one()
        centroid = claim.centroid
        if record.embedding is not None:
            centroid = record.embedding if centroid is None else (centroid * n + record.embedding) / (n + 1)
        threads = sorted(claim.threads | ({record.thread_id} if record.thread_id else set()))
        values: dict[str, Any] = dict(last_contact_at=max(ts, claim.last_contact_at), n_contacts=n + 1,
                                      threads=threads, resolved_at=None, last_channel=record.channel,
                                      last_outcome=record.resolved_by,
                                      references=sorted(claim.references | record.references))
        if record.embedding is not None:
            values["last_embedding"] = _json_vector(record.embedding)
        if centroid is not None:
            values["centroid"] = np.asarray(centroid, dtype=float).round(5).tolist()
        if claim.claim_type is None and record.claim_type is not None:
            values["claim_type"] = record.claim_type
        conn.execute(_Q.update_claim, {"b_id": claim.id, **values})

    def _prior(self, conn: Connection, claim_id: str) -> list[PriorContact]:
        rows = conn.execute(_Q.prior, {"b_claim": claim_id}).mappings().all()
        return [_prior_contact(r) for r in rows]

    def _state_of(self, conn: Connection, row) -> JourneyState:
        if row["customer_key"] is None:
            return JourneyState(status="no_identifier")
        claim = conn.execute(sa.select(claims).where(claims.c.id == row["claim_id"])).mappings().first()
        prior = [p for p in self._prior(conn, row["claim_id"]) if (p.timestamp, p.id) < (_utc(row["timestamp"]), row["id"])]
        n_open = conn.execute(sa.select(sa.func.count()).select_from(claims).where(
            claims.c.customer_key == row["customer_key"], claims.c.status == "open")).scalar_one()
        return JourneyState(status="linked", customer_key=row["customer_key"], claim_id=row["claim_id"],
                            new_claim=not prior, claim_type=claim["claim_type"] if claim else None,
                            opened_at=_utc(claim["opened_at"]) if claim else None, prior=prior, open_claims=n_open)

    # ---- reads ---------------------------------------------------------------------------------------------
    def customer_of(self, contact_id: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(contacts.c.customer_key).where(contacts.c.id == contact_id)).scalar()

    def assignments(self) -> Iterator[tuple[str, str | None, str | None]]:
        """(contact id, customer key, claim id) of every stored contact."""
        with self.engine.connect() as conn:
            yield from conn.execute(sa.select(contacts.c.id, contacts.c.customer_key, contacts.c.claim_id)).all()

    def journey(self, customer_key: str) -> dict[str, Any] | None:
        """A customer's claims with their contacts (redacted), newest claim first; None for an unknown key."""
        with self.engine.connect() as conn:
            customer = conn.execute(sa.select(customers).where(customers.c.key == customer_key)).mappings().first()
            if customer is None:
                return None
            claim_rows = conn.execute(sa.select(claims).where(claims.c.customer_key == customer_key)
                                      .order_by(claims.c.opened_at.desc())).mappings().all()
            contact_rows = conn.execute(sa.select(contacts).where(contacts.c.customer_key == customer_key)
                                        .order_by(contacts.c.timestamp)).mappings().all()
            conflicts = conn.execute(sa.select(sa.func.count()).select_from(candidate_merges)
                                     .where(candidate_merges.c.customer_key == customer_key)).scalar_one()
        by_claim: dict[str | None, list[dict[str, Any]]] = {}
        for row in contact_rows:
            by_claim.setdefault(row["claim_id"], []).append({
                "id": row["id"], "channel": row["channel"], "timestamp": _utc(row["timestamp"]).isoformat(),
                "language": row["language"], "claim_type": row["claim_type"], "scores": row["scores"],
                "route": row["route"], "resolved_by": row["resolved_by"], "text": row["redacted_text"]})
        return {
            "customer_key": customer_key,
            "has_customer_id": customer["customer_id"] is not None,
            "candidate_merges": conflicts,
            "open_claims": sum(1 for c in claim_rows if c["status"] == "open"),
            "claims": [{
                "claim_id": c["id"], "claim_type": c["claim_type"], "status": c["status"],
                "opened_at": _utc(c["opened_at"]).isoformat(), "last_contact_at": _utc(c["last_contact_at"]).isoformat(),
                "closed_at": _utc(c["closed_at"]).isoformat() if c["closed_at"] else None,
                "close_reason": c["close_reason"], "contacts": by_claim.get(c["id"], [])} for c in claim_rows],
        }

    def candidate_merges(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.select(candidate_merges)).mappings().all()]

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                    for t in (customers, identifiers, claims, contacts, candidate_merges, feedback)}

    # ---- feedback ------------------------------------------------------------------------------------------
    def add_feedback(self, contact_id: str, **values: Any) -> dict[str, Any]:
        """Store an agent's correction of a stored contact. A resolved outcome closes the claim; a bot failure
        marks the contact so the next contact on the claim goes to a person."""
        now = datetime.now(timezone.utc)
        with self._write() as conn:
            row = conn.execute(sa.select(contacts).where(contacts.c.id == contact_id)).mappings().first()
            if row is None:
                raise KeyError(contact_id)
            new_id = conn.execute(feedback.insert().values(contact_id=contact_id, created_at=now, **values)
                                  .returning(feedback.c.id)).scalar_one()
            outcome = values.get("route_outcome")
            if outcome in ("resolved_by_bot", "resolved_by_agent"):
                conn.execute(contacts.update().where(contacts.c.id == contact_id)
                             .values(resolved_by=outcome.removeprefix("resolved_by_")))
                if row["claim_id"]:
                    conn.execute(claims.update().where(claims.c.id == row["claim_id"]).values(resolved_at=now))
            elif outcome == "bot_failed":
                conn.execute(contacts.update().where(contacts.c.id == contact_id).values(bot_tried=True,
                                                                                         resolved_by="unresolved"))
                if row["claim_id"]:
                    conn.execute(claims.update().where(claims.c.id == row["claim_id"])
                                 .values(last_outcome="unresolved", resolved_at=None))
        return {"id": new_id, "contact_id": contact_id, **values}

    def labelled_feedback(self) -> list[dict[str, Any]]:
        """Every feedback row joined with the stored (redacted) contact, newest correction per contact last."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(feedback, contacts.c.channel, contacts.c.timestamp, contacts.c.language,
                                          contacts.c.redacted_text, contacts.c.scores)
                                .join(contacts, contacts.c.id == feedback.c.contact_id)
                                .order_by(feedback.c.id)).mappings().all()
        return [dict(r) for r in rows]


def _json_vector(vector: np.ndarray | None) -> list[float] | None:
    return None if vector is None else np.asarray(vector, dtype=float).round(5).tolist()


def _vector(value: list[float] | None) -> np.ndarray | None:
    return None if not value else np.asarray(value, dtype=np.float32)


def _new_key(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def _prior_contact(row) -> PriorContact:
    route = row["route"] or {}
    scores = row["scores"] or {}
    return PriorContact(id=row["id"], channel=row["channel"], timestamp=_utc(row["timestamp"]),
                        claim_type=row["claim_type"], sentiment_score=scores.get("sentiment_score"),
                        route_target=route.get("target"), bot_tried=bool(row["bot_tried"]),
                        resolved_by=row["resolved_by"], redacted_text=row["redacted_text"])


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
