"""Free-form customer writing composed from many independent parts, so models learn claims, not templates.

A message is drawn part by part: a register (a terse burst, plain writing, a formal letter), maybe a relative writing
for the holder, an opening, context, one to three facts of the claim (from a pool per claim type, sometimes the
subtype's own statement), connectors, what the customer wants, how they feel and a closing. Feelings come from the
content: anger is insults, capitals and threats; frustration is a judgement on the situation; a calm message can
complain politely and thank (read neutral); a thankful one praises. Surface colour follows the register: chat
shorthand and typos in bursts, dialect and English words, speech-recogniser slips on calls. `write_message` uses
this writer for most contacts and the template renderer (`render.compose`) for the rest.
"""

from __future__ import annotations

import random
import re

from claimtriage.data.demo import freeform_en, freeform_it
from claimtriage.data.demo.journeys import ContactPlan
from claimtriage.data.demo.render import TEMPLATES, Message, _reference, compose, fill

BANKS = {"it": freeform_it, "en": freeform_en}
#: share of first contacts and follow-ups written free-form (the rest by the templates)
FREEFORM_SHARE = 0.7
_BURST_CHANNELS = ("whatsapp", "sms", "chat", "messaging", "social")


def write_message(rng: random.Random, plan: ContactPlan, slots: dict[str, str]) -> Message:
    """The customer's words for this contact: free-form for most first contacts and follow-ups."""
    if plan.kind in ("first", "follow_up") and rng.random() < FREEFORM_SHARE:
        return compose_free(rng, plan, slots)
    return compose(rng, plan, slots)


def _register(rng: random.Random, plan: ContactPlan) -> str:
    if plan.channel in _BURST_CHANNELS:
        return "burst" if rng.random() < 0.7 else "plain"
    if plan.channel in ("email", "web_form") and (plan.tone == "angry" or plan.length == "long"):
        return "formal" if rng.random() < 0.55 else "plain"
    return rng.choice(("plain", "plain", "burst", "formal")) if plan.channel != "phone" else "plain"


def _claim_key(plan: ContactPlan, claim: str) -> str:
    if claim == "technical_fault" and plan.claim.slots["service_key"] != "fibra":
        return "technical_fault_other"  # no modem to restart for a SIM or a meter
    return claim


def _facts(rng: random.Random, plan: ContactPlan, slots: dict[str, str], B, n: int) -> list[str]:
    pool = list(B.FACTS[_claim_key(plan, plan.claim.claim)])
    facts = [fill(rng, (f,), slots) for f in rng.sample(pool, min(n, len(pool)))]
    if rng.random() < 0.35:  # the subtype's own statement keeps the claim's particulars (invoice, order, amounts)
        facts[0] = fill(rng, TEMPLATES[plan.person.lang].CORE[plan.claim.subtype.name], slots)
    return facts


def _feeling(rng: random.Random, plan: ContactPlan, B, register: str) -> tuple[list[str], list[str]]:
    """Lead and closing sentences that carry the tone."""
    lead: list[str] = []
    tail: list[str] = []
    tone = plan.tone
    if tone == "angry":
        if rng.random() < 0.7:
            lead.append(" ".join(rng.sample(B.ANGRY, rng.randint(1, 2))))
        if rng.random() < 0.5:
            tail.append(f"{rng.choice(B.FEEL_SUBJECT)} {rng.choice(B.FEEL_NEG)}")
        if rng.random() < 0.7:
            tail.append(rng.choice(B.THREAT))
        if register == "formal":
            tail.append(rng.choice(B.FORMAL))
    elif tone == "frustrated":
        tail.append(f"{rng.choice(B.FEEL_SUBJECT)} {rng.choice(B.FEEL_NEG)}")
        if register == "formal" or rng.random() < 0.15:
            tail.append(rng.choice(B.FORMAL))
    elif tone == "calm":
        if rng.random() < 0.45:  # a polite complaint, often with thanks: neutral all the same
            tail.append(rng.choice(B.POLITE))
        if register == "formal" and rng.random() < 0.3:
            tail.append(rng.choice(B.FORMAL))
    else:  # thankful
        lead.append(rng.choice(B.PRAISE))
        if rng.random() < 0.5:
            tail.append(f"{rng.choice(B.FEEL_SUBJECT)} {rng.choice(B.FEEL_POS)}")
    return lead, tail


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _colour(rng: random.Random, text: str, B, register: str, channel: str) -> str:
    """Shorthand, dialect, English words and recogniser slips, by register and channel."""
    if register == "burst":
        for word, short in B.SHORTHAND:
            if rng.random() < 0.5:
                text = re.sub(rf"\b{word}\b", short, text)
        text = text.lower() if rng.random() < 0.7 else text
    if channel == "phone" and rng.random() < 0.5:
        for word, heard in B.ASR:
            if rng.random() < 0.4:
                text = re.sub(rf"\b{word}\b", heard, text, count=1)
    return text


def compose_free(rng: random.Random, plan: ContactPlan, slots: dict[str, str]) -> Message:
    """One free-form message for a first contact or a follow-up (channel-neutral, like `render.compose`)."""
    lang = plan.person.lang
    B = BANKS[lang]
    register = _register(rng, plan)
    msg = Message([], [], [])
    opening = fill(rng, B.OPEN[register], slots)
    if opening and plan.channel in ("chat", "whatsapp", "sms", "messaging", "phone"):
        msg.opening.append(opening.rstrip(","))
    if plan.kind == "follow_up" and rng.random() < 0.85:
        msg.opening.extend(_reference(rng, plan, slots))
        msg.refers = True
    if rng.random() < 0.1:
        msg.opening.append(_cap(fill(rng, B.RELATIVE, slots)))
    elif register != "burst" and rng.random() < 0.4:
        msg.opening.append(_cap(fill(rng, B.INTRO, slots)))
    lead, tail = _feeling(rng, plan, B, register)
    n_facts = {"short": 1, "normal": rng.choice((1, 2, 2)), "long": rng.choice((2, 3, 3))}[plan.length]
    if register == "burst":
        n_facts = min(n_facts, 2)
    facts = _facts(rng, plan, slots, B, n_facts)
    body = [facts[0]] + [f"{rng.choice(B.CONNECT)} {f}" if rng.random() < 0.5 else f for f in facts[1:]]
    if plan.length != "short" and rng.random() < 0.5:
        body.insert(rng.randint(0, 1), fill(rng, B.CONTEXT, slots))
    if plan.secondary:
        second = rng.choice(B.FACTS[_claim_key(plan, plan.secondary)])
        body.append(f"{rng.choice(B.CONNECT)} {fill(rng, (second,), slots)}")
        msg.secondary = plan.secondary
    if rng.random() < 0.7:
        body.append(rng.choice(B.DEMANDS[_claim_key(plan, plan.claim.claim)]))
    if rng.random() < (0.3 if register == "burst" else 0.1):
        body.insert(0, rng.choice(B.DIALECT))
    if rng.random() < 0.12:
        body.append(rng.choice(B.ENGLISH))
    if plan.tone == "angry":
        body = [s.upper() if rng.random() < 0.15 else s for s in body]
        body = [s + "!" * rng.randint(1, 3) if rng.random() < 0.4 else s for s in body]
    msg.body = [_colour(rng, _cap(s) if register != "burst" else s, B, register, plan.channel)
                for s in lead + body + tail if s]
    if rng.random() < 0.6:
        msg.closing.append(fill(rng, B.CLOSE[register], slots))
    msg.closing = [c for c in msg.closing if c]
    return msg
