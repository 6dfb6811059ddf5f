"""What each channel tells about who is writing, and the channel's thread id.

Every channel sees a different, partial and differently formatted slice of the person: the caller id of a call
(sometimes withheld, sometimes another phone), the pre-chat form or the login of a chat, the WhatsApp number in
wa_id form, the social handle, only a display name on a review. A few contacts carry no identifier at all.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from claimtriage.data.demo.journeys import ContactPlan
from claimtriage.data.demo.people import Person, email_variant, name_variant, phone_variant
from claimtriage.data.schema import CustomerIdentifiers

#: requests a bot answers without knowing who asks; for the others it asks for the customer code first
GENERIC_REQUESTS = frozenset({"tariff_info", "coverage_check", "payment_methods", "outage_area"})


@dataclass(frozen=True)
class IdentityFlags:
    """How the contact was identified; the text must agree (an agent only reads a code back if one was given)."""

    verified: bool = False  # an agent or the bot asked for the customer code during the conversation
    logged_in: bool = False  # chat or form sent from the customer area
    dm: bool = False  # a social contact that moved to private messages
    work_email: bool = False  # written from an address the provider does not know


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(40):010x}"


def _whatsapp_name(rng: random.Random, person: Person) -> str:
    return rng.choice((person.first, person.name, f"{person.first} {person.last[0]}.", f"{person.first} 🌻",
                       f"{person.first[:4]}{rng.randint(1, 99)}", f"~ {person.first}"))


def _handle(rng: random.Random, handle: str) -> str:
    return rng.choice((f"@{handle}", handle, f"@{handle}", handle.lower(), f"@{handle.capitalize()}"))


def _checks_identity(rng: random.Random, plan: ContactPlan, human: bool, share: float) -> bool:
    if plan.resolved_by == "bot":
        return plan.claim.subtype.name not in GENERIC_REQUESTS and rng.random() < 0.8
    return human and rng.random() < share


def identify(rng: random.Random, plan: ContactPlan) -> tuple[CustomerIdentifiers, IdentityFlags]:
    """The identifiers this contact arrives with, and how it was identified."""
    p, channel = plan.person, plan.channel
    human = plan.resolved_by == "agent" or (plan.resolved_by == "unresolved" and rng.random() < 0.5)
    ids: dict[str, object] = {}
    flags = IdentityFlags()
    if channel == "email":
        work = p.work_email is not None and rng.random() < 0.35
        ids["email"] = p.work_email if work else email_variant(rng, p.email)
        if rng.random() < 0.8:
            ids["name"] = name_variant(rng, p)
        flags = IdentityFlags(work_email=work)
    elif channel == "phone":
        roll = rng.random()
        if roll < 0.88 or (roll < 0.97 and not p.landline):
            ids["phone"] = phone_variant(rng, p, "caller_id")
        elif roll < 0.97:
            ids["phone"] = rng.choice((f"+39{p.landline}", p.landline))  # home or office line
        # agents verify the caller, nearly always when the number is withheld or not the one on file
        verified = _checks_identity(rng, plan, human, 0.9 if roll < 0.88 else 0.97)
        if verified:
            ids["customer_id"] = p.customer_code
            ids["name"] = p.name
        flags = IdentityFlags(verified=verified)
    elif channel == "chat":
        logged_in = rng.random() < 0.45
        if logged_in:  # the widget passes the logged-in account, often with its email
            ids["customer_id"], ids["name"] = p.customer_code, p.name
            if rng.random() < 0.7:
                ids["email"] = p.email
        else:
            roll = rng.random()  # the pre-chat form: email and phone, one of them, or a guest with nothing
            ids["name"] = name_variant(rng, p) if roll < 0.99 else None
            if roll < 0.85:
                ids["email"] = email_variant(rng, p.email)
            if 0.15 <= roll < 0.99:
                ids["phone"] = phone_variant(rng, p, "typed")
        flags = IdentityFlags(logged_in=logged_in, verified=not logged_in and _checks_identity(rng, plan, human, 0.5))
    elif channel == "messaging":  # the provider's app: always logged in
        ids["customer_id"], ids["name"] = p.customer_code, p.name
    elif channel in ("whatsapp", "sms"):
        ids["phone"] = phone_variant(rng, p, "whatsapp" if channel == "whatsapp" else "caller_id")
        if channel == "whatsapp":
            ids["name"] = _whatsapp_name(rng, p)
        flags = IdentityFlags(verified=_checks_identity(rng, plan, human, 0.85))
        if flags.verified:  # the agent desktop attaches the conversation to the account it verified
            ids["customer_id"] = p.customer_code
    elif channel == "social":
        # only people with a handle post (journeys sees to it); the fallback just keeps handles unique
        ids["social_handle"] = _handle(rng, p.handle or f"{p.first.lower()}_{p.id[-5:]}")
        ids["name"] = rng.choice((p.first, p.name, f"{p.first} {p.last[0]}."))
        # the social team moves every conversation it answers to private messages; unanswered posts stay public
        flags = IdentityFlags(dm=human or rng.random() < 0.6)
        if flags.dm and human and rng.random() < 0.8:
            ids["customer_id"] = p.customer_code
    elif channel == "review":
        ids["name"] = rng.choice((f"{p.first} {p.last[0]}.", p.first, p.name))
        # invited reviews come with the address or number the invitation went to: the one the customer uses
        roll, used = rng.random(), plan.claim.person_channels
        if roll < 0.97:
            by_email = bool(used & {"email", "web_form", "chat"}) or not used & {"phone", "whatsapp", "sms"}
            ids["email" if by_email else "phone"] = p.email if by_email else f"+{p.cc}{p.mobile}"
        elif p.handle and rng.random() < 0.6:
            ids["social_handle"] = p.handle
    elif channel == "web_form":
        logged_in = rng.random() < 0.4
        ids["name"] = p.name
        ids["email"] = email_variant(rng, p.email)
        if rng.random() < 0.8:
            ids["phone"] = phone_variant(rng, p, "typed")
        if logged_in:
            ids["customer_id"] = p.customer_code
        if plan.claim.slots.get("service_key") in ("luce", "gas") and rng.random() < 0.4:
            ids["other"] = {"pod": p.pod}
        flags = IdentityFlags(logged_in=logged_in)
    return CustomerIdentifiers(**{k: v for k, v in ids.items() if v is not None}), flags


def thread_id(rng: random.Random, plan: ContactPlan, threads: dict[str, str]) -> str | None:
    """The source system's thread: email reply chains and social threads per claim, messaging per phone number,
    one session per call or chat, none for reviews and forms. `threads` remembers ids across contacts."""
    channel = plan.channel
    if channel in ("phone", "chat"):
        return f"{'call' if channel == 'phone' else 'chat'}-{_hex(rng)}"
    if channel in ("whatsapp", "sms", "messaging"):
        key = f"{channel}:{plan.person.id}"  # one conversation per number or app account, whatever the claim
        return threads.setdefault(key, f"{ {'whatsapp': 'wa', 'sms': 'sms', 'messaging': 'app'}[channel]}-{_hex(rng)}")
    if channel in ("email", "social"):
        key = f"{channel}:{plan.claim.id}"
        if key in threads and rng.random() < (0.75 if channel == "email" else 0.5):
            return threads[key]
        threads[key] = f"{'mail' if channel == 'email' else 'post'}-{_hex(rng)}"
        return threads[key]
    return None
