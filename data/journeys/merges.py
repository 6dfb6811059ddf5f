"""Confirmed merges: a person says two customer records are one customer.

Identity never joins customers who hold different strong identifiers on its own: it records a candidate merge with
its reason (`identity.resolve`). Reviewing one ends here: `merge_customers` moves the absorbed customer's
identifiers, claims and contacts to the kept customer in one transaction, settles the candidate merges between the
two, and records the merge with its reason in `customer_merges`, so a key handed out before (in an answer, a
hand-off) still finds the journey. Two customers that hold different customer ids (two accounts of the CRM) are
refused: the CRM is the source of truth for accounts, so they are merged there and imported again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from claimtriage.data.journeys.records import utc
from claimtriage.data.redact import redact
from claimtriage.data.journeys.tables import (candidate_merges, claims, contacts, customer_merges, customers,
                                              identifiers, written_identifiers)

#: the most characters a merge's reason keeps (the column's width)
MAX_REASON = 500
#: the reason recorded when identity itself merges two customers: two id-less customers that turn out to share a
#: channel identifier (one emailed, one called, then a contact carries both)
IDENTITY_MERGE = "identity: a later contact carried channel identifiers of both customers"


class MergeRefused(ValueError):
    """The merge was not made (nothing changed); the message says why, starting with the field at fault."""

    @property
    def field(self) -> str:
        return str(self).split(":", 1)[0]


class UnknownCustomer(MergeRefused):
    """No customer with that key (and none merged into another under it)."""


def merge_customers(conn: Connection, keep: str, absorb: str, *, reason: str, now: datetime) -> dict[str, Any]:
    """Make `absorb` part of `keep`, inside the caller's write transaction; what moved. The reason is stored
    redacted. MergeRefused (nothing written) for the same key twice, an unknown key, an empty reason or two
    different CRM customer ids."""
    reason = " ".join(reason.split())
    if not reason:
        raise MergeRefused("reason: say who confirmed the merge and why")
    if len(reason) > MAX_REASON:
        raise MergeRefused(f"reason: at most {MAX_REASON} characters")
    # "called back customer Anna Bianchi on 333 770 2154": the store keeps no customer's PII unredacted (a
    # placeholder can be longer than what it replaces, hence the cut)
    reason = redact(reason, notes=True).text[:MAX_REASON]
    if keep == absorb:
        raise MergeRefused("absorb: a customer cannot be merged into itself")
    rows = {r["key"]: r for r in conn.execute(sa.select(customers).where(customers.c.key.in_([keep, absorb])))
            .mappings()}
    for field, key in (("keep", keep), ("absorb", absorb)):
        if key not in rows:
            raise UnknownCustomer(f"{field}: no customer {key!r} in the journey store")
    kept_id, absorbed_id = rows[keep]["customer_id"], rows[absorb]["customer_id"]
    if kept_id is not None and absorbed_id is not None and kept_id != absorbed_id:
        raise MergeRefused("absorb: both customers hold a customer id (an account of the CRM) and they differ; "
                           "merge the accounts in the CRM and import it again")
    moved, settled = move_customer(conn, keep, absorb, reason=reason, now=now)
    return {"kept": keep, "absorbed": absorb, "moved": moved, "candidate_merges_settled": settled,
            "merged_at": utc(now).isoformat()}


def move_customer(conn: Connection, keep: str, absorb: str, *, reason: str, now: datetime
                  ) -> tuple[dict[str, int], int]:
    """Everything of customer `absorb` moves to `keep` (identifiers, written evidence, claims, contacts, its customer
    id when `keep` has none), candidate merges between the two are settled (deleted; those with a third customer now
    concern `keep`), and the merge is recorded with `reason`, so the absorbed key still finds the journey. Shared by
    a person's confirmed merge and identity's own (two id-less customers that turn out to share a channel
    identifier). Returns the rows moved per table and the candidate merges settled."""
    absorbed_id = conn.execute(sa.select(customers.c.customer_id).where(customers.c.key == absorb)).scalar_one_or_none()
    moved = {table.name: conn.execute(table.update().where(table.c.customer_key == absorb)
                                      .values(customer_key=keep)).rowcount
             for table in (identifiers, written_identifiers, claims, contacts)}
    between = sa.or_(sa.and_(candidate_merges.c.customer_key == keep, candidate_merges.c.other_key == absorb),
                     sa.and_(candidate_merges.c.customer_key == absorb, candidate_merges.c.other_key == keep))
    settled = conn.execute(candidate_merges.delete().where(between)).rowcount
    conn.execute(candidate_merges.update().where(candidate_merges.c.customer_key == absorb).values(customer_key=keep))
    conn.execute(candidate_merges.update().where(candidate_merges.c.other_key == absorb).values(other_key=keep))
    conn.execute(customers.delete().where(customers.c.key == absorb))
    if absorbed_id is not None:  # after the delete: customer ids are unique
        conn.execute(customers.update().where(customers.c.key == keep, customers.c.customer_id.is_(None))
                     .values(customer_id=absorbed_id))
    # keys merged into the absorbed one earlier now lead to the kept one too
    conn.execute(customer_merges.update().where(customer_merges.c.kept_key == absorb).values(kept_key=keep))
    conn.execute(customer_merges.insert().values(absorbed_key=absorb, kept_key=keep, reason=reason, merged_at=now))
    return moved, settled


def merged_into(conn: Connection, key: str) -> dict[str, Any] | None:
    """Where a key absorbed by a confirmed merge lives now (kept key, reason, when), or None."""
    row = conn.execute(sa.select(customer_merges).where(customer_merges.c.absorbed_key == key)
                       .order_by(customer_merges.c.id.desc())).mappings().first()
    if row is None:
        return None
    return {"absorbed_key": key, "kept_key": row["kept_key"], "reason": row["reason"],
            "merged_at": utc(row["merged_at"]).isoformat()}


def merges_into(conn: Connection, key: str) -> list[dict[str, Any]]:
    """The confirmed merges that ended in `key`, oldest first."""
    rows = conn.execute(sa.select(customer_merges).where(customer_merges.c.kept_key == key)
                        .order_by(customer_merges.c.id)).mappings().all()
    return [{"absorbed_key": r["absorbed_key"], "reason": r["reason"], "merged_at": utc(r["merged_at"]).isoformat()}
            for r in rows]
