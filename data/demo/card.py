"""DATA_CARD.md for the demo corpus: what it is, how it is made, and its distributions computed from the data."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from claimtriage.data.demo.brands import BRANDS
from claimtriage.data.demo.catalog import CHANNEL_SHARES, CLAIMS
from claimtriage.data.schema import Contact


def _table(title: str, counts: Counter, order: Iterable | None = None) -> str:
    total = sum(counts.values()) or 1
    keys = list(order) if order is not None else [k for k, _ in counts.most_common()]
    rows = [f"| {k} | {counts.get(k, 0)} | {100 * counts.get(k, 0) / total:.1f}% |" for k in keys]
    return "\n".join([f"### {title}", "", f"| {title.lower()} | contacts | share |", "|---|---:|---:|", *rows, ""])


def corpus_facts(contacts: list[Contact]) -> dict[str, float | int]:
    """Counts that show what makes the corpus hard: homonyms, missing identifiers, multi-issue, references."""
    names = defaultdict(set)  # full names (no initials) written by more than one person
    for c in contacts:
        words = (c.customer.name or "").lower().split()
        if len(words) >= 2 and all(len(w) > 2 for w in words):
            names[" ".join(sorted(words))].add(c.labels.true_customer)
    claims_by = defaultdict(set)
    for c in contacts:
        claims_by[c.labels.true_claim].add(c.channel)
    n = len(contacts) or 1
    return {
        "contacts": len(contacts),
        "customers": len({c.labels.true_customer for c in contacts}),
        "claims": len(claims_by),
        "homonym_names": sum(1 for ids in names.values() if len(ids) > 1),
        "no_identifier_contacts": sum(1 for c in contacts if c.customer.is_empty()),
        "multi_issue_share": sum(1 for c in contacts if len(c.labels.claims) > 1) / n,
        "refers_to_earlier_share": sum(1 for c in contacts if "refers_to" in c.metadata) / n,
        "multi_channel_claims": sum(1 for chans in claims_by.values() if len(chans) > 1),
    }


def data_card(contacts: list[Contact], *, seed: int) -> str:
    """The card as Markdown."""
    facts = corpus_facts(contacts)
    per_claim = Counter(c.labels.true_claim for c in contacts)
    claims_per_customer = defaultdict(set)
    for c in contacts:
        claims_per_customer[c.labels.true_customer].add(c.labels.true_claim)
    claim_sizes = Counter(str(v) for v in per_claim.values())
    customer_sizes = Counter(str(len(v)) for v in claims_per_customer.values())
    first, last = (min(c.timestamp for c in contacts), max(c.timestamp for c in contacts)) if contacts else (None, None)
    parts = [
        "# Demo corpus: data card",
        "",
        "**This corpus is entirely synthetic. It contains no real customer data.** Every person, name, email address, "
        "phone number, IBAN, address, customer code, invoice and case number was generated at random; the brands "
        f"({', '.join(b.name for b in BRANDS)}) and their offers are fictional. Any resemblance to real people or "
        "accounts is coincidental.",
        "",
        "## What it is",
        f"{facts['contacts']} contacts from {facts['customers']} customers about {facts['claims']} claims, "
        f"generated with seed {seed} (`data.demo.generate_demo(n_contacts={facts['contacts']}, seed={seed})`), "
        f"spanning {first:%Y-%m-%d} to {last:%Y-%m-%d}. The same seed and size always give byte-identical "
        "`contacts.jsonl` (one `Contact.model_dump_json()` per line, in time order).",
        "",
        "## How it is generated",
        "- **People** (`people.py`): Italian (~70%) and English-speaking customers, each with an email, a mobile "
        "(Italian 3xx, or UK 074xx-075xx), sometimes a work email, a landline and a social handle, a customer code, "
        "a POD, an IBAN with valid check digits and an address. Identifiers are unique after normalisation; about 4% "
        "of people share the full name of someone else (homonyms that must not be merged), some of them with an "
        "address that differs only by dots on a provider where dots matter.",
        "- **Journeys** (`journeys.py`): each customer has one or more claims (concurrent or sequential); each claim "
        "has a path (settled by the bot, by an agent, or never) and 1-5 contacts spread over days (about 6% of later "
        "contacts come back after 25-65 days: the next bill, a fault that returns), switching channel. Unresolved "
        "claims get angrier contact after contact.",
        "- **Identity** (`identity.py`): each channel sees a different slice: caller id (sometimes withheld or "
        "another line) and the code an agent verified, the pre-chat email/phone or the login, the WhatsApp wa_id, "
        "the app login, the social handle, the address or number a review invitation went to. Emails vary in case, "
        "Gmail dots and +tags; phones in format (+39 333 1234567, 0039-333-..., 393331234567, 333/1234567); "
        "customers also write their number, email or customer code in the text (sometimes spelled out by ASR).",
        "- **Text** (`templates_*.py`, `phrases_*.py`, `render.py`, `channels.py`, `conversation.py`, `noise.py`): "
        "paraphrases per claim subtype and language, slot values shared across a claim's contacts (invoice, order "
        "and case numbers), references to earlier contacts, secondary issues, calm/angry/thankful versions, long and "
        "very short messages, typos, code-switching, emojis, email signatures, disclaimers and quoted replies, call "
        "transcripts with IVR, ASR fillers and transfers, chats that start with a bot, voice notes, web forms with "
        "(sometimes wrong) categories.",
        "- **Labels** (`labels.py`): claim (about 3% swapped for a confusable neighbour), sentiment from the tone "
        "(about 8% of non-angry contacts one step off), complexity from claim type, second issue, prior contacts, "
        "length, transfers and outcome (with Gaussian noise). Outcome: resolved_by (bot / agent / unresolved), "
        "handle time, contacts to resolution (resolved claims), transfers. `metadata` holds provenance and "
        "generator internals (subtype, tone, journey step, refers_to): never use it as a feature.",
        "",
        "## Difficulty at a glance",
        "",
        "| fact | value |",
        "|---|---:|",
        *(f"| {k.replace('_', ' ')} | {v:.1%} |" if isinstance(v, float) else f"| {k.replace('_', ' ')} | {v} |"
          for k, v in facts.items()),
        "",
        "## Distributions",
        "",
        _table("Channel", Counter(c.channel.value for c in contacts), CHANNEL_SHARES),
        _table("Language", Counter(c.language for c in contacts)),
        _table("Claim", Counter(c.labels.claim for c in contacts), CLAIMS),
        _table("Sentiment", Counter(c.labels.sentiment for c in contacts), ("negative", "neutral", "positive")),
        _table("Complexity", Counter(c.labels.complexity for c in contacts), ("low", "medium", "high")),
        _table("Resolved by", Counter(c.outcome.resolved_by for c in contacts), ("bot", "agent", "unresolved")),
        "### Contacts per claim", "", "| contacts | claims |", "|---:|---:|",
        *(f"| {k} | {claim_sizes[k]} |" for k in sorted(claim_sizes, key=int)), "",
        "### Claims per customer", "", "| claims | customers |", "|---:|---:|",
        *(f"| {k} | {customer_sizes[k]} |" for k in sorted(customer_sizes, key=int)), "",
    ]
    return "\n".join(parts)
