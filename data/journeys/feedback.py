"""Agents' corrections of stored contacts: written into the journey store (where an outcome also closes or reopens the
claim) and read back, joined with the redacted contact, as labelled data for the next retraining."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from claimtriage.data.journeys.records import utc
from claimtriage.data.journeys.tables import claims, contacts, feedback


def add_feedback(conn: Connection, contact_id: str, now: datetime, **values: Any) -> dict[str, Any]:
    """Store a correction of a stored contact, inside the caller's write transaction. A resolved outcome closes the
    claim; a bot failure marks the contact so the next contact on the claim goes to a person. KeyError for an
    unknown contact."""
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


def labelled_feedback(engine: Engine) -> list[dict[str, Any]]:
    """Every feedback row joined with the stored (redacted) contact, newest correction per contact last."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(feedback, contacts.c.channel, contacts.c.timestamp, contacts.c.language,
                                      contacts.c.redacted_text, contacts.c.scores)
                            .join(contacts, contacts.c.id == feedback.c.contact_id)
                            .order_by(feedback.c.id)).mappings().all()
    return [{**r, "timestamp": utc(r["timestamp"]), "created_at": utc(r["created_at"])} for r in rows]
