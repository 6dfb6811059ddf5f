"""Slot values a claim's texts are filled with: amounts, dates, invoice and order numbers, offers, devices.

Claim-level values stay the same in every contact of the claim (the same invoice number in the email and in the
call), which is what a claim linker can exploit; identity values (how the customer code or the phone is written)
are drawn again for every contact.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from claimtriage.data.demo.catalog import DEVICES, TARIFFS, Subtype
from claimtriage.data.demo.people import CITIES, STREETS, Person, code_variant, email_variant, phone_variant

MONTHS = {"it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
                 "ottobre", "novembre", "dicembre"),
          "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December")}
SERVICE_WORDS = {"it": {"fibra": "fibra", "mobile": "SIM", "luce": "luce", "gas": "gas"},
                 "en": {"fibra": "fibre", "mobile": "SIM", "luce": "electricity", "gas": "gas"}}
NUMBER_WORDS = {"it": ("zero", "uno", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove"),
                "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")}
ORDINALS = {"it": ("", "prima", "seconda", "terza", "quarta", "quinta", "sesta"),
            "en": ("", "first", "second", "third", "fourth", "fifth", "sixth")}


def money(rng: random.Random, value: float, lang: str) -> str:
    """An amount as people write it: 45,90 € / € 45,90 / 45,90 euro, or €45.90 / 45.90 euros."""
    if lang == "it":
        text = f"{value:.2f}".replace(".", ",")
        return rng.choice((f"{text} €", f"€ {text}", f"{text} euro", f"{text}€"))
    return rng.choice((f"€{value:.2f}", f"{value:.2f} euros", f"EUR {value:.2f}", f"€{value:.2f}"))


def day_text(rng: random.Random, when: datetime, lang: str) -> str:
    """A calendar date written out: 12 marzo / 12/03 / 12 March / March 12th."""
    month = MONTHS[lang][when.month - 1]
    if lang == "it":
        return rng.choice((f"{when.day} {month}", f"{when.day:02d}/{when.month:02d}", f"{when.day}/{when.month}",
                           f"{when.day} {month} {when.year}"))
    suffix = "th" if 11 <= when.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(when.day % 10, "th")
    return rng.choice((f"{when.day} {month}", f"{month} {when.day}{suffix}", f"{when.day:02d}/{when.month:02d}"))


def ago_text(rng: random.Random, then: datetime, now: datetime, lang: str) -> str:
    """How a customer refers to an earlier contact: this morning, yesterday, 3 days ago, last week, on 12 March."""
    days = (now.date() - then.date()).days
    if lang == "it":
        if days <= 0:
            return rng.choice(("stamattina", "poco fa", "oggi"))
        if days == 1:
            return "ieri"
        if days == 2:
            return rng.choice(("l'altro ieri", "due giorni fa"))
        if days < 7:
            return f"{days} giorni fa"
        if days < 14:
            return "la settimana scorsa"
        return f"il {day_text(rng, then, lang)}"
    if days <= 0:
        return rng.choice(("this morning", "earlier today", "today"))
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    if days < 14:
        return "last week"
    return f"on {day_text(rng, then, lang)}"


def spoken_digits(number: str, lang: str) -> str:
    """A number as an ASR transcript sometimes writes it: tre tre tre, uno due..."""
    words = NUMBER_WORDS[lang]
    return " ".join(words[int(ch)] for ch in number if ch.isdigit())


def claim_slots(rng: random.Random, person: Person, subtype: Subtype, start: datetime,
                used: set[str]) -> dict[str, object]:
    """Values shared by every contact of one claim (language-neutral parts; see `contact_slots`).

    Invoice, order, case and tracking numbers are unique in the corpus (`used` remembers them), as in a real system.
    """

    def unique(make) -> str:
        value = make()
        while value in used:
            value = make()
        used.add(value)
        return value

    service = next((s for s in subtype.services if s in person.services), subtype.services[0])
    tariffs = TARIFFS[service]
    (tariff, price), (tariff2, price2) = rng.sample(tariffs, 2) if len(tariffs) > 1 else (tariffs[0], tariffs[0])
    low, high = subtype.amount
    city, _, _ = rng.choice(CITIES)
    event = start - timedelta(days=rng.randint(2, 30), hours=rng.randint(0, 12))
    return {
        "service_key": service, "tariff": tariff, "tariff2": tariff2, "price_v": price, "price2_v": price2,
        "amount_v": round(rng.uniform(low, high), 2), "amount2_v": round(rng.uniform(120, 780), 2),
        "discount_v": rng.choice((5, 10, 15, 20)),
        "invoice": unique(lambda: f"{start.year}-{rng.randint(100_000, 999_999):07d}"),
        "order": unique(lambda: f"ORD-{rng.randint(1_000_000, 9_999_999)}"),
        "ticket": unique(lambda: f"{rng.randint(10_000_000, 19_999_999)}"),
        "device": rng.choice(DEVICES[service]), "speed": rng.randint(2, 60), "minutes": rng.randint(25, 95),
        "event": event,
        "date2_d": start + timedelta(days=rng.randint(2, 10)), "other_city": city,
        "other_street": f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
        "migration": f"LUM{rng.randint(10**9, 10**10 - 1)}{rng.choice('ABCDEFGHJK')}001",
        "tracking": unique(lambda: f"{rng.randint(10**11, 10**12 - 1)}"), "hour": f"{rng.randint(14, 22)}:00",
    }


def contact_slots(rng: random.Random, person: Person, claim: dict[str, object], lang: str,
                  when: datetime) -> dict[str, str]:
    """Every slot a template may use, written the way this contact writes them."""
    event: datetime = claim["event"]  # type: ignore[assignment]
    month = MONTHS[lang][event.month - 1]
    return {
        "first": person.first, "last": person.last, "name": person.name, "address": person.address,
        "street": person.street, "city": person.city, "years": str(person.years),
        "customer_code": code_variant(rng, person.customer_code), "iban": format_iban(rng, person.iban),
        "phone_text": phone_variant(rng, person, "typed"), "email_text": email_variant(rng, person.email),
        "service_bare": SERVICE_WORDS[lang][claim["service_key"]],  # type: ignore[index]
        "tariff": str(claim["tariff"]), "tariff2": str(claim["tariff2"]),
        "price": money(rng, claim["price_v"], lang), "price2": money(rng, claim["price2_v"], lang),  # type: ignore
        "amount": money(rng, claim["amount_v"], lang), "amount2": money(rng, claim["amount2_v"], lang),  # type: ignore
        "discount": f"{claim['discount_v']} €" if lang == "it" else f"€{claim['discount_v']}",
        "invoice": str(claim["invoice"]), "order": str(claim["order"]), "ticket": str(claim["ticket"]),
        "device": str(claim["device"]), "speed": str(claim["speed"]), "minutes": str(claim["minutes"]),
        "pod": person.pod, "month": month, "date": day_text(rng, event, lang),
        "date2": day_text(rng, claim["date2_d"], lang),  # type: ignore[arg-type]
        "days": str(max(2, (when - event).days)), "other_city": str(claim["other_city"]),
        "other_street": str(claim["other_street"]), "migration": str(claim["migration"]),
        "tracking": str(claim["tracking"]), "hour": str(claim["hour"]),
    }


def format_iban(rng: random.Random, iban: str) -> str:
    """Compact or in groups of four, as people paste it."""
    if rng.random() < 0.5:
        return iban
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
