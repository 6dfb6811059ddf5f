"""The journey store's write path: one `JourneyTransaction` per `JourneyStore.transaction()`.

`link` places a contact in its customer's journey: it resolves the customer from the identifiers (creating, merging,
or recording a candidate merge), closes the customer's stale claims, joins an open claim or opens one, and returns the
`JourneyState` with the claim's earlier contacts. `save` then stores the contact row with the route decided on that
state. Both run in the caller's transaction: nothing is committed unless the whole block succeeds.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import numpy as np
from sqlalchemy.engine import Connection

from claimtriage.data.journeys.identity import IdentityKeys, KeyHasher, resolve
from claimtriage.data.journeys.merges import IDENTITY_MERGE, move_customer
from claimtriage.data.journeys.linking import (LinkingConfig, OpenClaim, choose_claim, extend_claim, is_stale,
                                               open_claim)
from claimtriage.data.journeys.reads import prior_contacts, state_of
from claimtriage.data.journeys.records import ContactRecord, DuplicateContact, JourneyState, PriorContact, utc
from claimtriage.data.journeys.tables import Q
from claimtriage.data.schema import timestamp_problem


class JourneyTransaction:
    """Link then save contacts inside one serialised write transaction (see `JourneyStore.transaction`)."""

    def __init__(self, conn: Connection, linking: LinkingConfig, hasher: KeyHasher) -> None:
        self.conn = conn
        self.linking = linking
        self.hasher = hasher
        # linked contact id -> (when: its stored_at, its content hash), until it is saved
        self._unsaved: dict[str, tuple[datetime, str | None]] = {}

    @property
    def unsaved(self) -> list[str]:
        """Contacts linked but not saved yet: the transaction must not commit with any."""
        return list(self._unsaved)

    def link(self, record: ContactRecord, keys: IdentityKeys) -> JourneyState:
        """The contact's place in its customer's journey, written as far as the customer and the claim go. A contact
        id already stored comes back as it was stored, `already_stored` set: nothing is written, saving it does
        nothing. The same id with different content (`ContactRecord.content_hash`) raises `DuplicateContact`; a contact
        stored without a hash (schema version 1, history imports) counts as the same content. A timestamp outside the
        sanity window (`data.schema.timestamp_problem`) raises ValueError: nothing is written."""
        conn = self.conn
        if problem := timestamp_problem(record.timestamp):  # a contact from year 9999 would hold its claim open forever
            raise ValueError(f"timestamp: contact {record.id}: {problem}")
        if record.id in self._unsaved:
            if _differs(record.content_hash, self._unsaved[record.id][1]):
                raise DuplicateContact(record.id)
            raise ValueError(f"contact {record.id} is linked twice in one transaction: link and save it once")
        existing = conn.execute(Q.contact_by_id, {"b_id": record.id}).mappings().first()
        if existing is not None:
            if _differs(record.content_hash, existing["content_hash"]):
                raise DuplicateContact(record.id)
            state = state_of(conn, existing)
            state.already_stored = True
            return state
        now = datetime.now(timezone.utc)
        self._unsaved[record.id] = (now, record.content_hash)
        if keys.empty:
            return JourneyState(status="no_identifier")
        keys = self.hasher.keys(keys)  # the store never holds a raw identifier
        incoming = record.incoming()
        customer, status, conflicts = self._resolve(record, keys, now)
        if customer is None:  # only written identifiers, none of which points at one customer
            return JourneyState(status="no_identifier")
        live = self._open_claims(customer, incoming.timestamp)
        decision = choose_claim(incoming, live, self.linking)
        prior: list[PriorContact] = []
        if decision.claim_id is None:
            claim = open_claim(new_key("claim"), incoming)
            conn.execute(Q.insert_claim, dict(customer_key=customer, status="open", **_claim_values(claim)))
            claim_type = claim.claim_type
        else:
            joined = next(c for c in live if c.id == decision.claim_id)
            prior = prior_contacts(conn, joined.id)
            claim = extend_claim(joined, incoming)
            conn.execute(Q.update_claim, {"b_id": claim.id, **_extension_values(claim)})
            claim_type = joined.claim_type  # as the claim was before this contact
        n_open = conn.execute(Q.count_open, {"b_customer": customer}).scalar_one()
        return JourneyState(status=status, customer_key=customer, claim_id=claim.id,
                            new_claim=decision.claim_id is None, claim_type=claim_type, opened_at=claim.opened_at,
                            prior=prior, open_claims=n_open, candidate_merges=len(conflicts),
                            candidate_reasons=conflicts, link=decision)

    def save(self, record: ContactRecord, state: JourneyState, route: dict[str, Any] | None = None) -> None:
        """Store the contact row, on the customer and claim `link` gave it, with its route."""
        if state.already_stored:
            return
        if record.id not in self._unsaved:
            raise ValueError(f"contact {record.id} was not linked in this transaction: link it first")
        now, _ = self._unsaved.pop(record.id)
        self.conn.execute(Q.insert_contact, dict(
            id=record.id, customer_key=state.customer_key, claim_id=state.claim_id, channel=record.channel,
            timestamp=utc(record.timestamp), language=record.language, claim_type=record.claim_type,
            scores=record.scores, route=route, bot_tried=record.bot_tried, resolved_by=record.resolved_by,
            redacted_text=record.redacted_text, stored_at=now, content_hash=record.content_hash))

    # ---- identity --------------------------------------------------------------------------------------------
    def _resolve(self, record: ContactRecord, keys: IdentityKeys, now: datetime
                 ) -> tuple[str | None, str, list[tuple[str, str]]]:
        """(customer key or None, linked | new_customer | no_identifier, candidate merges recorded: (other, reason))."""
        conn = self.conn
        everything = sorted(keys.strong | keys.written)
        owners = dict(conn.execute(Q.owners, {"b_keys": everything}).all()) if everything else {}
        cids = dict(conn.execute(Q.customer_ids, {"b_keys": sorted(set(owners.values()))}).all()) if owners else {}
        cids = {k: (f"cid:{v}" if v else None) for k, v in cids.items()}
        writers: dict[str, set[str]] = {}
        if everything:  # who wrote these keys in earlier messages: written ones, and channel ones (see `resolve`)
            for key, writer in conn.execute(Q.writers, {"b_keys": everything}).all():
                writers.setdefault(key, set()).add(writer)
        blocked = frozenset(k for k, w in writers.items() if k in keys.written and len(w - {owners.get(k)}) >= 2)
        res = resolve(keys, owners, cids, blocked, {k: w for k, w in writers.items() if k in keys.strong})
        if res.customer is None:
            return None, "no_identifier", []
        status = "linked"
        customer = res.customer
        if not customer:
            customer = new_key("cust")  # never reused, even after a merge removes a customer
            conn.execute(Q.insert_customer, dict(key=customer, customer_id=None, created_at=now))
            status = "new_customer"
        for other in res.merge:  # id-less customers this contact shows to be one: settles candidates between them
            move_customer(conn, customer, other, reason=IDENTITY_MERGE, now=now)
        for other, reason in res.conflicts:
            conn.execute(Q.insert_candidate, dict(customer_key=customer, other_key=other, contact_id=record.id,
                                                  created_at=now, reason=reason))
        code = keys.customer_id or (keys.written_customer_id if keys.written_customer_id in res.own_keys else None)
        if code:
            conn.execute(Q.set_customer_id, {"b_key": customer, "customer_id": code.removeprefix("cid:")})
        new_keys = sorted(k for k in res.own_keys if k not in owners)
        if new_keys:
            conn.execute(Q.insert_identifier, [dict(key=k, customer_key=customer, first_seen=now) for k in new_keys])
        evidence = sorted(k for k in keys.written - res.own_keys if customer not in writers.get(k, ()))
        if evidence:
            conn.execute(Q.insert_written, [dict(key=k, customer_key=customer, first_seen=now) for k in evidence])
        return customer, status, list(res.conflicts)

    # ---- claims ----------------------------------------------------------------------------------------------
    def _open_claims(self, customer: str, ts: datetime) -> list[OpenClaim]:
        """The customer's open claims at `ts`; those gone stale by then are closed for good."""
        out = []
        for row in self.conn.execute(Q.open_claims, {"b_customer": customer}).mappings().all():
            claim = _claim_from_row(row)
            if is_stale(claim, ts, self.linking):
                reason = "resolved" if claim.resolved_at is not None else "inactive"
                self.conn.execute(Q.update_claim, {"b_id": claim.id, "status": "closed", "closed_at": ts,
                                                   "close_reason": reason})
                continue
            out.append(claim)
        return out


def _differs(submitted: str | None, stored: str | None) -> bool:
    """Whether two content hashes say two different contacts (a missing hash says nothing)."""
    return submitted is not None and stored is not None and submitted != stored


def _claim_from_row(row) -> OpenClaim:
    return OpenClaim(id=row["id"], claim_type=row["claim_type"], opened_at=utc(row["opened_at"]),
                     last_contact_at=utc(row["last_contact_at"]), centroid=_vector(row["centroid"]),
                     threads=frozenset(row["threads"] or ()), resolved_at=utc(row["resolved_at"]),
                     last_embedding=_vector(row["last_embedding"]), last_channel=row["last_channel"],
                     last_outcome=row["last_outcome"], references=frozenset(row["references"] or ()),
                     n_contacts=row["n_contacts"])


def _claim_values(claim: OpenClaim) -> dict[str, Any]:
    """The claims row of a claim's state (its customer and status aside)."""
    return dict(id=claim.id, claim_type=claim.claim_type, opened_at=claim.opened_at,
                last_contact_at=claim.last_contact_at, resolved_at=claim.resolved_at, n_contacts=claim.n_contacts,
                centroid=_json_vector(claim.centroid), threads=sorted(claim.threads),
                last_embedding=_json_vector(claim.last_embedding), last_channel=claim.last_channel,
                last_outcome=claim.last_outcome, references=sorted(claim.references))


def _extension_values(claim: OpenClaim) -> dict[str, Any]:
    """The columns an extension writes: all that may change, the vectors only when the claim has them."""
    values = _claim_values(claim)
    del values["id"], values["opened_at"]
    return {k: v for k, v in values.items() if v is not None or k not in ("centroid", "last_embedding")}


def _json_vector(vector: np.ndarray | None) -> list[float] | None:
    return None if vector is None else np.asarray(vector, dtype=float).round(5).tolist()


def _vector(value: list[float] | None) -> np.ndarray | None:
    return None if not value else np.asarray(value, dtype=np.float32)


def new_key(prefix: str) -> str:
    """A fresh customer or claim key (`cust-...`, `claim-...`), never reused."""
    return f"{prefix}-{uuid.uuid4().hex[:16]}"
