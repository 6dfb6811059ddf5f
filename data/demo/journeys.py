"""Customer journeys: who has which claims, when, and how each claim unfolds contact by contact.

A claim has a path decided up front (settled by the bot, by an agent, or never) and 1..5 contacts spread over days,
now and then over a month or two: a disputed bill comes back with the next bill, a repaired fault returns, an agent's
fix does not hold (`REOPEN_SHARE`).
Later contacts of a claim that is not getting solved get angrier; customers switch channel as they go; some
customers have several claims, concurrent (different kinds) or one after the other. Nothing here writes text: the
plan says what each contact is, `render` and `channels` say it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from claimtriage.data.demo.catalog import (
    BOT_CHANNELS,
    CHANNEL_SHARES,
    CLAIM_SHARES,
    CLAIMS,
    NEGATIVITY,
    SECONDARY,
    SUBTYPES_BY_CLAIM,
    Subtype,
)
from claimtriage.data.demo.people import Person
from claimtriage.data.demo.slots import claim_slots

START = datetime(2024, 1, 8, tzinfo=UTC)
CONTACTS_BY_PATH = {"bot": ((1, 98), (2, 2)),
                    "agent": ((1, 50), (2, 27), (3, 12), (4, 7), (5, 4)),
                    "unresolved": ((1, 28), (2, 30), (3, 20), (4, 13), (5, 9))}
#: channel weights before context; calibrated so that the realised mix lands on CHANNEL_SHARES
BASE_WEIGHTS = {"email": 21, "phone": 22, "chat": 13, "whatsapp": 11, "web_form": 10, "social": 46, "review": 9,
                "sms": 4, "messaging": 2}
MEAN_CONTACTS_PER_CLAIM = 1.8  # only a starting point: the total is fitted exactly afterwards
MULTI_ISSUE = 0.14
#: share of a claim's later contacts that come back after a month or two (the next monthly or bimonthly bill, a
#: fault that returns) rather than within days; these reopenings are what linking's inactivity window must allow for
REOPEN_SHARE = 0.06
REOPEN_DAYS = (25.0, 65.0)


@dataclass
class ClaimPlan:
    """One claim of one person: the ground truth behind `labels.true_claim`."""

    id: str
    person: Person
    subtype: Subtype
    first_tone: str
    secondary: str | None
    path: str  # bot | agent | unresolved
    n_contacts: int
    start: datetime = START
    slots: dict[str, object] = field(default_factory=dict)
    contacts: list[ContactPlan] = field(default_factory=list)
    #: every channel this person uses in the corpus (what the provider knows to reach them on)
    person_channels: frozenset[str] = frozenset()

    @property
    def claim(self) -> str:
        return self.subtype.claim


@dataclass
class ContactPlan:
    """What one contact is, before it is written."""

    claim: ClaimPlan
    step: int
    time: datetime
    channel: str = "email"
    kind: str = "first"  # first | follow_up | add_info | thanks
    tone: str = "calm"  # angry | frustrated | calm | thankful
    resolved_by: str = "agent"
    secondary: str | None = None
    length: str = "normal"  # short | normal | long
    id: str = ""

    @property
    def person(self) -> Person:
        return self.claim.person

    @property
    def is_last(self) -> bool:
        return self.step == self.claim.n_contacts - 1

    @property
    def previous(self) -> ContactPlan | None:
        return self.claim.contacts[self.step - 1] if self.step else None


def _pick(rng: random.Random, pairs: tuple[tuple[int, int], ...]) -> int:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _first_tone(rng: random.Random, claim: str) -> str:
    neg, roll = NEGATIVITY[claim], rng.random()
    if roll < neg * 0.4:
        return "angry"
    if roll < neg * 0.85:
        return "frustrated"
    return "thankful" if rng.random() < 0.05 else "calm"


def _new_claim(rng: random.Random, person: Person, index: int) -> ClaimPlan:
    """A claim with its subtype, first tone, second issue and path; a calm, single-issue standard request is the
    one a bot settles, an angry or tangled one goes to a person."""
    claim = rng.choices(CLAIMS, weights=[CLAIM_SHARES[c] for c in CLAIMS])[0]
    options = SUBTYPES_BY_CLAIM[claim]
    subtype = rng.choices(options, weights=[o.weight for o in options])[0]
    tone = _first_tone(rng, claim)
    secondary = rng.choice(SECONDARY[claim]) if rng.random() < MULTI_ISSUE else None
    p_bot = subtype.bot_rate * {"calm": 1.0, "thankful": 1.0, "frustrated": 0.55, "angry": 0.03}[tone]
    if secondary:
        p_bot *= 0.25
    if rng.random() < p_bot:
        path = "bot"
    elif rng.random() < 0.07 + 0.1 * NEGATIVITY[claim]:
        path = "unresolved"
    else:
        path = "agent"
    return ClaimPlan(id=f"{person.id}/{index}", person=person, subtype=subtype, first_tone=tone,
                     secondary=secondary, path=path, n_contacts=_pick(rng, CONTACTS_BY_PATH[path]))


def _fit_total(rng: random.Random, by_person: list[list[ClaimPlan]], n: int) -> None:
    """Add or drop whole claims until the corpus is within a few contacts of `n` (so contacts per claim keep their
    shape), then nudge single claims by one contact until it has exactly `n`."""
    total = sum(c.n_contacts for cs in by_person for c in cs)
    while total < n - 5:
        cs = rng.choice(by_person)
        cs.append(_new_claim(rng, cs[0].person, len(cs) + 1))
        total += cs[-1].n_contacts
    removable = [cs for cs in by_person if len(cs) > 1]
    while total > n + 5 and removable:
        cs = removable[rng.randrange(len(removable))]
        total -= cs.pop().n_contacts
        if len(cs) == 1:
            removable.remove(cs)
    while total != n:
        claims = [c for cs in by_person for c in cs]
        rng.shuffle(claims)
        before = total
        for c in claims:
            if total > n and c.n_contacts > 1:
                c.n_contacts, total = c.n_contacts - 1, total - 1
            elif total < n and c.n_contacts < 5 and c.path != "bot":
                c.n_contacts, total = c.n_contacts + 1, total + 1
            if total == n:
                return
        if total == before:  # every claim at its bound and no claim can go: n is out of reach
            raise ValueError(f"cannot spread {n} contacts over {len(by_person)} customers")


def _schedule(rng: random.Random, claims: list[ClaimPlan], used: set[str], reopen: random.Random) -> None:
    """Dates: the first claim somewhere in the year, later ones concurrent or after the previous one ended. `reopen`
    alone decides which later contacts come back after a month or two, so that share can change without moving
    anything else the plan draws."""
    t = START + timedelta(days=rng.uniform(0, 300))
    previous: ClaimPlan | None = None
    for claim in claims:
        if previous is not None:
            concurrent = rng.random() < 0.25 and claim.claim != previous.claim
            t = (previous.start + timedelta(days=rng.uniform(0.5, 6)) if concurrent
                 else previous.contacts[-1].time + timedelta(days=rng.uniform(10, 90)))
        hour = rng.choices((rng.uniform(8, 13), rng.uniform(13, 19), rng.uniform(19, 23), rng.uniform(0, 7)),
                           weights=(45, 35, 15, 5))[0]
        claim.start = t.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(seconds=round(hour * 3600))
        claim.slots = claim_slots(rng, claim.person, claim.subtype, claim.start, used)
        when = claim.start
        claim.contacts = []
        for step in range(claim.n_contacts):
            if step:
                gap = rng.choices((rng.uniform(0.05, 0.5), rng.uniform(0.5, 3), rng.uniform(3, 10),
                                   rng.uniform(10, 25)), weights=(20, 45, 30, 5))[0]
                if reopen.random() < REOPEN_SHARE:
                    gap = reopen.uniform(*REOPEN_DAYS)
                when += timedelta(seconds=round(gap * 86400))
            claim.contacts.append(ContactPlan(claim=claim, step=step, time=when))
        previous = claim


def _tone(rng: random.Random, plan: ContactPlan) -> str:
    claim = plan.claim
    if plan.kind == "thanks":
        return "thankful"
    if plan.step == 0:
        return claim.first_tone
    if plan.kind == "add_info":
        return rng.choice(("calm", "calm", "frustrated"))
    neg = NEGATIVITY[claim.claim] + 0.2 * plan.step + (0.15 if claim.path == "unresolved" else 0.0)
    roll = rng.random()
    if roll < min(0.85, neg * 0.5):
        return "angry"
    if roll < min(0.97, neg * 0.95):
        return "frustrated"
    return "calm"


def _channel(rng: random.Random, plan: ContactPlan, favourite: str) -> str:
    w = dict(BASE_WEIGHTS)
    w[favourite] *= 2.5
    claim = plan.claim
    if plan.person.handle is None:
        w["social"] = 0
    if claim.path == "bot" and plan.is_last:
        w = {k: (v * 1.6 if k in ("chat", "whatsapp") else v) for k, v in w.items() if k in BOT_CHANNELS}
    factors: dict[str, float] = {}
    if plan.kind == "thanks":
        factors.update(review=3, phone=0.3)
    if plan.step == 0 and claim.n_contacts > 1:
        factors.update(review=0.15, social=0.6)
    elif plan.step > 0 and plan.tone == "angry":
        factors.update(social=1.6, review=1.5)
    if claim.claim in ("delivery_installation", "activation"):
        factors.update(sms=1.6, whatsapp=1.3)
    for key, factor in factors.items():
        if key in w:
            w[key] *= factor
    names = [k for k in w if w[k] > 0]
    return rng.choices(names, weights=[w[k] for k in names])[0]


def _resolution(rng: random.Random, plan: ContactPlan) -> str:
    path = plan.claim.path
    if path == "unresolved":
        return "unresolved"
    if plan.is_last:
        if plan.kind == "thanks":
            return "bot" if plan.channel in ("chat", "whatsapp", "sms", "messaging") else "agent"
        return path
    if path == "bot":
        return "unresolved"
    return "agent" if rng.random() < 0.65 else "unresolved"


def _length(rng: random.Random, plan: ContactPlan) -> str:
    roll = rng.random()
    messaging = plan.channel in ("whatsapp", "sms", "social", "chat", "messaging")
    if messaging and plan.kind in ("first", "follow_up") and roll < (0.3 if plan.step else 0.1):
        return "short"
    long_share = {"email": 0.2, "phone": 0.15, "web_form": 0.08, "review": 0.15}.get(plan.channel, 0.0)
    return "long" if rng.random() < long_share else "normal"


def plan_journeys(rng: random.Random, people: list[Person], n_contacts: int,
                  reopen: random.Random | None = None) -> list[ContactPlan]:
    """Every contact of the corpus, in time order, with its claim, channel, tone and resolution decided. `reopen`:
    the generator that picks the reopened contacts (default: one seeded from `rng`'s first draw)."""
    reopen = reopen if reopen is not None else random.Random(rng.random())
    mean_claims = max(1.0, n_contacts / len(people) / MEAN_CONTACTS_PER_CLAIM)
    by_person: list[list[ClaimPlan]] = []
    for person in people:
        claims = [_new_claim(rng, person, 1)]
        while len(claims) < 6 and rng.random() < 1 - 1 / mean_claims:
            claims.append(_new_claim(rng, person, len(claims) + 1))
        by_person.append(claims)
    _fit_total(rng, by_person, n_contacts)
    plans: list[ContactPlan] = []
    used_numbers: set[str] = set()
    for claims in by_person:
        _schedule(rng, claims, used_numbers, reopen)
        favourite = rng.choices(list(CHANNEL_SHARES), weights=list(CHANNEL_SHARES.values()))[0]
        for claim in claims:
            for plan in claim.contacts:
                if plan.step:
                    plan.kind = ("thanks" if plan.is_last and claim.path == "agent" and rng.random() < 0.3
                                 else "add_info" if not plan.is_last and rng.random() < 0.12 else "follow_up")
                plan.tone = _tone(rng, plan)
                plan.channel = _channel(rng, plan, favourite)
                plan.resolved_by = _resolution(rng, plan)
                plan.length = _length(rng, plan)
                if plan.step == 0 or (plan.kind == "follow_up" and rng.random() < 0.3):
                    plan.secondary = claim.secondary
                if plan.secondary is None and plan.kind != "thanks":
                    plan.secondary = _other_open_claim(rng, claims, plan)
                plans.append(plan)
        used_channels = frozenset(p.channel for claim in claims for p in claim.contacts)
        for claim in claims:
            claim.person_channels = used_channels
    plans.sort(key=lambda p: (p.time, p.claim.id, p.step))
    for i, plan in enumerate(plans):
        plan.id = f"demo-{i + 1:06d}"
    return plans


def _other_open_claim(rng: random.Random, claims: list[ClaimPlan], plan: ContactPlan) -> str | None:
    """A concurrent claim of the same person, mentioned in passing about a third of the time."""
    for other in claims:
        concurrent = other is not plan.claim and other.contacts and other.start <= plan.time <= other.contacts[-1].time
        if concurrent and other.claim != plan.claim.claim and rng.random() < 0.35:
            return other.claim
    return None
