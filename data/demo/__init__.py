"""The embedded default corpus: synthetic, seeded, deterministic multichannel contacts of a fictional provider.

One contact centre serves several fictional brands of a group ("Lumina Energia & Telco", "Aurora Luce e Gas",
"Vela Telecomunicazioni", ...; `brands`) selling fibre, mobile, electricity and gas in Italy, each with its own
customer-code format; their customers (about 70% Italian, 30% English-speaking) write emails, call, chat, message on
WhatsApp and SMS, post on social media, leave reviews and fill in web forms about ten kinds of claims. Most messages
are composed free-form from many independent parts (`freeform`: registers from chat bursts to formal complaint
letters, relatives writing for the holder, dialect and English words, recogniser slips on calls), the rest from the
per-subtype templates (`render`). Every contact carries its ground truth (`labels.true_customer`,
`labels.true_claim`), labels (claim, sentiment, complexity) and outcome. No real customer data is involved.

    contacts = generate_demo(5000, seed=0)        # list[Contact], in time order
    write_demo(Path("demo_corpus"), seed=0)       # contacts.jsonl + DATA_CARD.md
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from claimtriage.data.demo.card import data_card
from claimtriage.data.demo.channels import build
from claimtriage.data.demo.freeform import write_message
from claimtriage.data.demo.identity import identify, thread_id
from claimtriage.data.demo.journeys import ContactPlan, plan_journeys
from claimtriage.data.demo.labels import claim_label, complexity, outcome, sentiment
from claimtriage.data.demo.people import make_people
from claimtriage.data.demo.render import phrases, slots_for
from claimtriage.data.schema import Contact, Labels

__all__ = ["generate_demo", "write_demo"]

CUSTOMERS_PER_CONTACT = 0.4
SOURCE = "claimtriage-demo"


@dataclass
class _Threads:
    """What earlier contacts left behind: thread ids, email subjects, threads already seen."""

    ids: dict[str, str] = field(default_factory=dict)
    subjects: dict[str, str] = field(default_factory=dict)
    last_email: dict[str, ContactPlan] = field(default_factory=dict)


def _contact(rng: random.Random, plan: ContactPlan, threads: _Threads, seed: int) -> Contact:
    slots = slots_for(rng, plan)
    msg = write_message(rng, plan, slots)
    ids, flags = identify(rng, plan)
    thread = thread_id(rng, plan, threads.ids)
    reply_to = threads.last_email.get(thread) if thread else None
    subject = None
    if reply_to is not None and thread in threads.subjects:
        prefix = phrases(plan.person.lang).REPLY_PREFIX
        subject = threads.subjects[thread] if threads.subjects[thread].startswith(prefix) else (
            prefix + threads.subjects[thread])
    content = build(rng, plan, msg, slots, ids, flags, reply_to, subject)
    if plan.channel == "email" and thread:
        threads.subjects.setdefault(thread, content.subject or "")
        threads.last_email[thread] = plan
    multi = msg.secondary is not None
    claim = claim_label(rng, plan)
    sent, sent_score = sentiment(rng, plan)
    cx, cx_score = complexity(rng, plan, chars=content.customer_chars, transfers=content.transfers, multi_issue=multi)
    metadata = {"source": SOURCE, "seed": str(seed), "subtype": plan.claim.subtype.name, "tone": plan.tone,
                "journey_step": str(plan.step + 1), "length": plan.length}
    if msg.refers and plan.previous is not None:
        metadata["refers_to"] = plan.previous.id
    return Contact(
        id=plan.id, customer=ids, channel=plan.channel, timestamp=plan.time, language=plan.person.lang,
        subject=content.subject, body=content.body, turns=content.turns, attachments=content.attachments,
        rating=content.rating, thread_id=thread,
        labels=Labels(claim=claim, claims=[claim, msg.secondary] if multi and msg.secondary != claim else [claim],
                      sentiment=sent, sentiment_score=sent_score, complexity=cx, complexity_score=cx_score,
                      true_customer=plan.person.id, true_claim=f"claim-{plan.claim.id}"),
        outcome=outcome(rng, plan, transfers=content.transfers, complexity_score=cx_score),
        metadata=metadata,
    )


def generate_demo(n_contacts: int = 5000, n_customers: int | None = None, seed: int = 0) -> list[Contact]:
    """`n_contacts` synthetic contacts from `n_customers` customers (default 0.4 per contact), in time order.

    The same arguments always give the same contacts (byte-identical JSON).
    """
    if n_contacts < 1:
        raise ValueError(f"n_contacts must be at least 1, got {n_contacts}")
    customers = n_customers if n_customers is not None else max(1, round(CUSTOMERS_PER_CONTACT * n_contacts))
    if not 1 <= customers <= n_contacts:
        raise ValueError(f"n_customers must be between 1 and n_contacts ({n_contacts}), got {customers}")
    plan_rng = random.Random(f"{SOURCE}:{seed}:plan")
    people = make_people(plan_rng, customers)
    plans = plan_journeys(plan_rng, people, n_contacts, reopen=random.Random(f"{SOURCE}:{seed}:reopen"))
    threads = _Threads()
    # each contact's words come from its own generator, so a change to when contacts happen (which reorders them)
    # rewrites only the contacts whose dates it moves, not every contact after the first one moved
    return [_contact(random.Random(f"{SOURCE}:{seed}:text:{plan.claim.id}:{plan.step}"), plan, threads, seed)
            for plan in plans]


def write_demo(out_dir: Path, *, n_contacts: int = 5000, seed: int = 0) -> Path:
    """Write `contacts.jsonl` (one Contact per line) and `DATA_CARD.md` into `out_dir`; return the folder."""
    contacts = generate_demo(n_contacts, seed=seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "contacts.jsonl").open("w", encoding="utf-8") as handle:
        for contact in contacts:
            handle.write(contact.model_dump_json() + "\n")
    (out_dir / "DATA_CARD.md").write_text(data_card(contacts, seed=seed), encoding="utf-8")
    return out_dir
