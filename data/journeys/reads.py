"""Reads of the journey store: a customer's journey, every contact's assignment, the counts, the candidate merges,
and the journey state of a contact already stored (what a retried contact is answered with)."""

from __future__ import annotations

from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from claimtriage.data.journeys.merges import merged_into, merges_into
from claimtriage.data.journeys.records import JourneyState, PriorContact, utc
from claimtriage.data.journeys.tables import (Q, candidate_merges, claims, contacts, customers, feedback,
                                              identifiers)


def prior_contacts(conn: Connection, claim_id: str) -> list[PriorContact]:
    """The stored contacts of a claim, oldest first."""
    return [_prior_contact(row) for row in conn.execute(Q.prior, {"b_claim": claim_id}).mappings().all()]


def state_of(conn: Connection, row) -> JourneyState:
    """The journey state of a stored contact (`row`: its contacts row), as it would have been answered."""
    if row["customer_key"] is None:
        return JourneyState(status="no_identifier")
    claim = conn.execute(sa.select(claims).where(claims.c.id == row["claim_id"])).mappings().first()
    prior = [p for p in prior_contacts(conn, row["claim_id"]) if (p.timestamp, p.id) < (utc(row["timestamp"]), row["id"])]
    n_open = conn.execute(sa.select(sa.func.count()).select_from(claims).where(
        claims.c.customer_key == row["customer_key"], claims.c.status == "open")).scalar_one()
    return JourneyState(status="linked", customer_key=row["customer_key"], claim_id=row["claim_id"],
                        new_claim=not prior, claim_type=claim["claim_type"] if claim else None,
                        opened_at=utc(claim["opened_at"]) if claim else None, prior=prior, open_claims=n_open)


def customer_of(engine: Engine, contact_id: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(sa.select(contacts.c.customer_key).where(contacts.c.id == contact_id)).scalar()


def assignments(engine: Engine) -> Iterator[tuple[str, str | None, str | None]]:
    """(contact id, customer key, claim id) of every stored contact."""
    with engine.connect() as conn:
        yield from conn.execute(sa.select(contacts.c.id, contacts.c.customer_key, contacts.c.claim_id)).all()


def journey(engine: Engine, customer_key: str) -> dict[str, Any] | None:
    """A customer's claims with their contacts (redacted), newest claim first; None for an unknown key. A key a
    confirmed merge absorbed gives the journey it was merged into (`merged_from` says so)."""
    requested = customer_key
    with engine.connect() as conn:
        customer = conn.execute(sa.select(customers).where(customers.c.key == customer_key)).mappings().first()
        moved = None
        if customer is None:
            moved = merged_into(conn, customer_key)
            if moved is None:
                return None
            customer_key = moved["kept_key"]
            customer = conn.execute(sa.select(customers).where(customers.c.key == customer_key)).mappings().first()
            if customer is None:
                return None
        merges = merges_into(conn, customer_key)
        claim_rows = conn.execute(sa.select(claims).where(claims.c.customer_key == customer_key)
                                  .order_by(claims.c.opened_at.desc())).mappings().all()
        contact_rows = conn.execute(sa.select(contacts).where(contacts.c.customer_key == customer_key)
                                    .order_by(contacts.c.timestamp)).mappings().all()
        conflicts = conn.execute(sa.select(candidate_merges).where(sa.or_(
            candidate_merges.c.customer_key == customer_key, candidate_merges.c.other_key == customer_key))
            .order_by(candidate_merges.c.id)).mappings().all()
    by_claim: dict[str | None, list[dict[str, Any]]] = {}
    for row in contact_rows:
        by_claim.setdefault(row["claim_id"], []).append({
            "id": row["id"], "channel": row["channel"], "timestamp": utc(row["timestamp"]).isoformat(),
            "language": row["language"], "claim_type": row["claim_type"], "scores": row["scores"],
            "route": row["route"], "resolved_by": row["resolved_by"], "text": row["redacted_text"]})
    return {
        "customer_key": customer_key,
        "has_customer_id": customer["customer_id"] is not None,
        "candidate_merges": len(conflicts),
        # possible same person, recorded for review and never merged: the other customer and why
        "candidate_merge_details": [{
            "other_customer_key": m["other_key"] if m["customer_key"] == customer_key else m["customer_key"],
            "reason": m["reason"], "contact_id": m["contact_id"], "recorded_at": utc(m["created_at"]).isoformat()}
            for m in conflicts],
        # customer records a person confirmed are this customer (`merges.merge_customers`)
        "merged_customers": merges,
        **({"merged_from": {k: moved[k] for k in ("reason", "merged_at")} | {"requested_key": requested}}
           if moved else {}),
        "open_claims": sum(1 for c in claim_rows if c["status"] == "open"),
        "claims": [{
            "claim_id": c["id"], "claim_type": c["claim_type"], "status": c["status"],
            "opened_at": utc(c["opened_at"]).isoformat(), "last_contact_at": utc(c["last_contact_at"]).isoformat(),
            "closed_at": utc(c["closed_at"]).isoformat() if c["closed_at"] else None,
            "close_reason": c["close_reason"], "contacts": by_claim.get(c["id"], [])} for c in claim_rows],
    }


def candidate_merge_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every recorded candidate merge (two customers that share an identifier but hold different customer ids)."""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(candidate_merges)).mappings().all()]


def counts(engine: Engine) -> dict[str, int]:
    """Rows per table."""
    with engine.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in (customers, identifiers, claims, contacts, candidate_merges, feedback)}


def _prior_contact(row) -> PriorContact:
    route = row["route"] or {}
    scores = row["scores"] or {}
    return PriorContact(id=row["id"], channel=row["channel"], timestamp=utc(row["timestamp"]),
                        claim_type=row["claim_type"], sentiment_score=scores.get("sentiment_score"),
                        route_target=route.get("target"), bot_tried=bool(row["bot_tried"]),
                        resolved_by=row["resolved_by"], redacted_text=row["redacted_text"])
