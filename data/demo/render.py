"""The customer's own words for one contact, before the channel wraps them.

A first contact states the claim (short, normal or long, with context and details); a follow-up refers to what
happened before ("vi ho scritto una mail la settimana scorsa", "as I wrote in my email"), often with the case
number, and restates or shortens the problem; a closing contact thanks. Tone is layered on top: anger opens and
closes the message and shouts, frustration complains, calm asks politely.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from types import ModuleType

from claimtriage.data.demo import phrases_en, phrases_it, templates_en, templates_it
from claimtriage.data.demo.brands import BY_SHORT, SERVICE_DOMAIN
from claimtriage.data.demo.catalog import AGENTS_EN, AGENTS_IT
from claimtriage.data.demo.journeys import ContactPlan
from claimtriage.data.demo.noise import shout
from claimtriage.data.demo.slots import ORDINALS, ago_text, contact_slots, day_text

TEMPLATES = {"it": templates_it, "en": templates_en}
PHRASES = {"it": phrases_it, "en": phrases_en}


@dataclass
class Message:
    """The customer's sentences, and whether they point back to an earlier contact."""

    opening: list[str]  # greeting-free lead sentences (intro, references)
    body: list[str]  # the claim itself, details, secondary issue
    closing: list[str]  # tone closing, request
    history: list[str] = field(default_factory=list)  # a long follow-up's recap of earlier contacts
    refers: bool = False
    secondary: str | None = None  # the other claim type actually mentioned

    def sentences(self) -> list[str]:
        return [s for s in self.opening + self.history + self.body + self.closing if s]

    def text(self, sep: str = " ") -> str:
        """The sentences as running text, each closed by punctuation (short phrases come without)."""
        return sep.join(stop(s) for s in self.sentences())


def stop(sentence: str) -> str:
    return sentence if not sentence or sentence[-1] in ".!?)…" or not sentence[-1].isalnum() else sentence + "."


def phrases(lang: str) -> ModuleType:
    return PHRASES[lang]


def slots_for(rng: random.Random, plan: ContactPlan) -> dict[str, str]:
    """All slots, including brand and agent names, written the way this contact writes them."""
    lang = plan.person.lang
    slots = contact_slots(rng, plan.person, plan.claim.slots, lang, plan.time)
    brand = BY_SHORT[plan.person.brand]
    slots.update(brand=brand.name, brand_short=brand.short, handle=brand.handle, bot=brand.bot, domain=SERVICE_DOMAIN,
                 agent=rng.choice(AGENTS_IT if lang == "it" else AGENTS_EN))
    slots["topic"] = PHRASES[lang].TOPIC[plan.claim.claim]
    slots["resolved"] = rng.choice(PHRASES[lang].RESOLVED[plan.claim.claim]).format_map(slots)
    return slots


def fill(rng: random.Random, options: tuple[str, ...], slots: dict[str, str]) -> str:
    return rng.choice(options).format_map(slots)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _reference(rng: random.Random, plan: ContactPlan, slots: dict[str, str]) -> list[str]:
    """Sentences pointing back at the previous contact of the claim, its case number and how many times."""
    prev, P = plan.previous, PHRASES[plan.person.lang]
    assert prev is not None
    when = ago_text(rng, prev.time, plan.time, plan.person.lang)
    ref = _cap(rng.choice(P.REF[prev.channel]).format_map({**slots, "when": when}))
    out = [f"{ref} {rng.choice(P.STATUS)}" if plan.kind == "follow_up" else f"{ref}."]
    handled = any(c.resolved_by == "agent" for c in plan.claim.contacts[:plan.step])
    if handled and rng.random() < 0.55:
        out.append(fill(rng, P.REF_TICKET, slots))
    if plan.step >= 2 and plan.kind == "follow_up" and rng.random() < 0.5:
        out.append(fill(rng, P.REF_COUNT, {**slots, "nth": ORDINALS[plan.person.lang][min(plan.step + 1, 6)]}))
    return out


def _recap(rng: random.Random, plan: ContactPlan, slots: dict[str, str]) -> list[str]:
    """A long follow-up retells the story so far, one earlier contact per sentence, with dates."""
    lang, P = plan.person.lang, PHRASES[plan.person.lang]
    out: list[str] = []
    for earlier in plan.claim.contacts[:plan.step]:
        when = f"{'il' if lang == 'it' else 'on'} {day_text(rng, earlier.time, lang)}"
        options = [r for r in P.REF[earlier.channel] if not any(o.startswith(_cap(r[:12])) for o in out)]
        out.append(_cap(rng.choice(options or P.REF[earlier.channel]).format_map({**slots, "when": when})) + ".")
    return out


def _tone_layer(rng: random.Random, plan: ContactPlan, msg: Message, slots: dict[str, str]) -> None:
    P = PHRASES[plan.person.lang]
    if plan.tone == "angry":
        if rng.random() < 0.6:
            msg.opening.insert(0, rng.choice(P.ANGRY_OPEN))
        if rng.random() < 0.75:
            msg.closing.append(rng.choice(P.ANGRY_CLOSE))
        msg.body = [shout(rng, s) for s in msg.body]
    elif plan.tone == "frustrated":
        if rng.random() < 0.8:
            msg.closing.append(rng.choice(P.FRUSTRATED))
    elif plan.tone == "thankful" and plan.kind != "thanks":
        msg.opening.insert(0, fill(rng, P.PRAISE, slots))
        msg.closing.append(rng.choice(P.POLITE_CLOSE))
    elif plan.tone == "calm" and rng.random() < 0.6:
        msg.closing.append(rng.choice(P.REQUEST))


def compose(rng: random.Random, plan: ContactPlan, slots: dict[str, str]) -> Message:
    """The customer's message for this contact (channel-neutral)."""
    lang, subtype = plan.person.lang, plan.claim.subtype.name
    T, P = TEMPLATES[lang], PHRASES[lang]
    core = fill(rng, T.CORE[subtype], slots)
    short = fill(rng, T.SHORT[subtype], slots)
    msg = Message([], [], [])
    if plan.kind == "thanks":
        msg.body.append(fill(rng, P.THANKS, slots))
        if rng.random() < 0.3:
            msg.body.append(fill(rng, P.REF_TICKET, slots))
        return msg
    if plan.kind == "add_info":
        msg.opening = _reference(rng, plan, slots)
        msg.refers = True
        msg.body.append(fill(rng, P.ADD_INFO, slots))
        msg.closing.append(rng.choice(P.POLITE_CLOSE) if plan.tone == "calm" else rng.choice(P.FRUSTRATED))
        return msg
    if plan.kind == "follow_up" and rng.random() < 0.8:
        msg.opening = _reference(rng, plan, slots)
        msg.refers = True
    if plan.length == "short":
        msg.body.append(short if plan.kind == "first" or rng.random() < 0.6 else core)
        if plan.tone == "angry":
            msg.body = [shout(rng, s) for s in msg.body]
        return msg
    if plan.length == "long" or (plan.kind == "first" and rng.random() < 0.25):
        msg.opening.insert(0, _cap(fill(rng, P.INTRO, slots)))
    claim = plan.claim.claim
    if claim == "technical_fault" and plan.claim.slots["service_key"] != "fibra":
        claim = "technical_fault_other"  # no modem to restart for a SIM or a meter
    if plan.length == "long":
        msg.opening.extend(rng.sample(P.CONTEXT + P.CONTEXT_FOR.get(claim, ()), 2))
        msg.history = _recap(rng, plan, slots)
    restate = plan.kind == "first" or plan.length == "long" or rng.random() < 0.6
    msg.body.append(core if restate else short[:1].upper() + short[1:])
    if plan.length == "long":  # long messages say it twice, in other words
        again = [t for t in T.CORE[subtype] if t.format_map(slots) != core]
        rephrased = fill(rng, tuple(again), slots)
        if rephrased[1:2].islower():  # "In short: the fibre...", but "In short: SIM ..." stays
            rephrased = rephrased[:1].lower() + rephrased[1:]
        msg.body.append(f"{P.IN_SHORT} {rephrased}")
        details = rng.sample(P.DETAILS, 2) + list(P.DETAILS_FOR.get(claim, ()))
        msg.body.extend(fill(rng, (d,), slots) for d in dict.fromkeys(details))
    if plan.step == 0 and plan.resolved_by != "bot" and plan.claim.subtype.bot_rate >= 0.3 and rng.random() < 0.7:
        msg.body.append(rng.choice(P.COMPLICATION))
    if plan.secondary:
        msg.body.append(fill(rng, P.SECONDARY[plan.secondary], slots))
        msg.secondary = plan.secondary
    _tone_layer(rng, plan, msg, slots)
    return msg
