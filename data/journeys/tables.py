"""The journey store's tables (one SQLAlchemy `metadata`, the same on SQLite and PostgreSQL), the schema version they
make, and the write path's statements built once (`Q`).

Every text column is a `StoredText`/`StoredString`: a NUL character, which PostgreSQL refuses in text, is replaced by
U+FFFD in every value written or looked up, on both databases, so a body or an id carrying one is still stored (and
found again by the same id) instead of failing the whole contact.

Versions: 1, the first; 2 adds `contacts.content_hash` (what makes a contact id idempotent; `JourneyStore._migrate`
adds the column to a version-1 store, whose contacts keep no hash); 3 adds `written_identifiers`, the identifiers
customers wrote in their messages (evidence, never join keys; see `identity.resolve`); 4 keeps every identifier and
customer code as a keyed hash (`identity.KeyHasher`) and the key's fingerprint in `store_settings`: a store written
before is hashed in place when it is first opened; 5 adds `customer_merges`, the merges a person confirmed
(`merges.merge_customers`).
"""

from __future__ import annotations

import sqlalchemy as sa

#: the version of these tables; a store written by a newer version is refused (`SchemaVersionError`)
SCHEMA_VERSION = 5

#: what text columns store instead of NUL (PostgreSQL: "text fields cannot contain NUL (0x00) bytes")
NUL_REPLACEMENT = "\ufffd"


def storable(value):
    """`value` as a text column keeps it: NUL replaced by U+FFFD; anything else unchanged."""
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", NUL_REPLACEMENT)
    return value


class StoredText(sa.types.TypeDecorator):
    """Text that both databases accept: see `storable`. Applies to inserts, updates and comparisons alike."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return storable(value)


class StoredString(StoredText):
    impl = sa.String
    cache_ok = True


metadata = sa.MetaData()

schema_info = sa.Table("schema_info", metadata, sa.Column("version", sa.Integer, nullable=False))

#: name -> value: `identifier_key_check`, the fingerprint of the identifier key the store was written with
store_settings = sa.Table(
    "store_settings", metadata,
    sa.Column("name", StoredString(60), primary_key=True),
    sa.Column("value", StoredString(200), nullable=False),
)

customers = sa.Table(
    "customers", metadata,
    sa.Column("key", StoredString(40), primary_key=True),
    sa.Column("customer_id", StoredString(120), nullable=True, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

identifiers = sa.Table(
    "identifiers", metadata,
    sa.Column("key", StoredString(300), primary_key=True),
    sa.Column("customer_key", StoredString(40), sa.ForeignKey("customers.key"), nullable=False, index=True),
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
)

#: identifiers found in a customer's words that did not become one of its own: evidence for candidate merges, and
#: how an identifier written by several unrelated customers (a company number nobody configured) is recognised
written_identifiers = sa.Table(
    "written_identifiers", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", StoredString(300), nullable=False, index=True),
    sa.Column("customer_key", StoredString(40), nullable=False, index=True),
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
)

candidate_merges = sa.Table(
    "candidate_merges", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("customer_key", StoredString(40), nullable=False, index=True),
    sa.Column("other_key", StoredString(40), nullable=False),
    sa.Column("contact_id", StoredString(200), nullable=False),
    sa.Column("reason", StoredString(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: two customer records a person confirmed are one customer (a candidate merge reviewed, a CRM clean-up): the
#: absorbed key's identifiers, claims and contacts now belong to the kept key, and the absorbed key still finds them
customer_merges = sa.Table(
    "customer_merges", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("absorbed_key", StoredString(40), nullable=False, index=True),
    sa.Column("kept_key", StoredString(40), nullable=False, index=True),
    sa.Column("reason", StoredString(500), nullable=False),
    sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
)

claims = sa.Table(
    "claims", metadata,
    sa.Column("id", StoredString(60), primary_key=True),
    sa.Column("customer_key", StoredString(40), sa.ForeignKey("customers.key"), nullable=False, index=True),
    sa.Column("claim_type", StoredString(120), nullable=True),
    sa.Column("status", StoredString(10), nullable=False),  # open | closed
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_contact_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("close_reason", StoredString(40), nullable=True),
    sa.Column("n_contacts", sa.Integer, nullable=False),
    sa.Column("centroid", sa.JSON, nullable=True),
    sa.Column("threads", sa.JSON, nullable=False),
    sa.Column("last_embedding", sa.JSON, nullable=True),
    sa.Column("last_channel", StoredString(20), nullable=True),
    sa.Column("last_outcome", StoredString(20), nullable=True),
    sa.Column("references", sa.JSON, nullable=False),  # hashed reference tokens (invoice, case numbers)
)

contacts = sa.Table(
    "contacts", metadata,
    sa.Column("id", StoredString(200), primary_key=True),
    sa.Column("customer_key", StoredString(40), nullable=True, index=True),
    sa.Column("claim_id", StoredString(60), nullable=True, index=True),
    sa.Column("channel", StoredString(20), nullable=False),
    sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
    sa.Column("language", StoredString(8), nullable=True),
    sa.Column("claim_type", StoredString(120), nullable=True),
    sa.Column("scores", sa.JSON, nullable=False),  # claim, confidence, sentiment(_score), complexity(_score), oos
    sa.Column("route", sa.JSON, nullable=True),  # target, queue, priority, reason codes
    sa.Column("bot_tried", sa.Boolean, nullable=False),
    sa.Column("resolved_by", StoredString(20), nullable=True),
    sa.Column("redacted_text", StoredText, nullable=False),
    sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
    # sha-256 of the contact as submitted (`records.content_hash`); NULL for contacts stored by schema version 1
    sa.Column("content_hash", StoredString(64), nullable=True),
)

feedback = sa.Table(
    "feedback", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("contact_id", StoredString(200), sa.ForeignKey("contacts.id"), nullable=False, index=True),
    sa.Column("claim", StoredString(120), nullable=True),
    sa.Column("complexity", StoredString(10), nullable=True),
    sa.Column("sentiment", StoredString(10), nullable=True),
    sa.Column("route_outcome", StoredString(30), nullable=True),
    sa.Column("agent", StoredString(120), nullable=True),
    sa.Column("note", StoredText, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


class Q:
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
    writers = sa.select(written_identifiers.c.key, written_identifiers.c.customer_key).where(
        written_identifiers.c.key.in_(sa.bindparam("b_keys", expanding=True))).distinct()
    insert_written = written_identifiers.insert()
    set_customer_id = customers.update().where(customers.c.key == sa.bindparam("b_key"),
                                                customers.c.customer_id.is_(None))
    open_claims = sa.select(claims).where(claims.c.customer_key == sa.bindparam("b_customer"),
                                          claims.c.status == "open").order_by(claims.c.opened_at)
    count_open = sa.select(sa.func.count()).select_from(claims).where(
        claims.c.customer_key == sa.bindparam("b_customer"), claims.c.status == "open")
    update_claim = claims.update().where(claims.c.id == sa.bindparam("b_id"))
    insert_claim = claims.insert()
    prior = sa.select(contacts).where(contacts.c.claim_id == sa.bindparam("b_claim")).order_by(
        contacts.c.timestamp, contacts.c.id)

