"""The fictional customers: names, contact identifiers and the imperfect ways they get written down.

Every identifier is synthetic. Italian mobiles use real 3xx prefixes and English customers either hold an Italian
mobile (they live in Italy) or a UK 074xx-075xx mobile; IBANs carry a valid CIN and mod-97 check digits. Identifiers are
unique per person *after* normalisation, so a resolver that normalises properly can reach high precision, while
homonyms (same full name, different person) punish merging on names.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from stdnum import iban as _iban

from claimtriage.data.demo.brands import code_variant, draw_brand, new_code

IT_FIRST_M = ("Marco", "Giuseppe", "Luca", "Andrea", "Francesco", "Alessandro", "Giovanni", "Roberto", "Stefano",
              "Paolo", "Davide", "Matteo", "Simone", "Antonio", "Salvatore", "Massimo", "Fabio", "Lorenzo",
              "Nicolò", "Mario", "Vincenzo", "Riccardo", "Gabriele", "Enrico", "Pietro", "Ahmed", "Ion", "Federico",
              "Emanuele", "Claudio", "Daniele", "Filippo", "Tommaso", "Michele", "Alberto", "Carlo", "Giorgio",
              "Sergio", "Cristian", "Mattia", "Diego", "Leonardo", "Edoardo", "Raffaele", "Domenico", "Youssef")
IT_FIRST_F = ("Giulia", "Francesca", "Chiara", "Sara", "Laura", "Valentina", "Alessandra", "Elena", "Federica",
              "Silvia", "Anna", "Maria", "Paola", "Martina", "Roberta", "Elisa", "Giorgia", "Serena", "Ilaria",
              "Cristina", "Monica", "Barbara", "Rosa", "Teresa", "Beatrice", "Fatima", "Alice", "Aurora",
              "Camilla", "Sofia", "Emma", "Noemi", "Irene", "Marta", "Veronica", "Daniela", "Simona", "Lucia",
              "Angela", "Carla", "Antonella", "Manuela", "Claudia", "Benedetta", "Arianna", "Ioana")
IT_LAST = ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
           "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
           "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone",
           "Longo", "Gentile", "Martinelli", "Vitale", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti",
           "Popescu", "El Amrani", "Parisi", "Villa", "Conte", "Ferraro", "Ferri", "Fabbri", "Bianco", "Marini",
           "Grasso", "Valentini", "Messina", "Sala", "De Angelis", "Gatti", "Pellegrini", "Palumbo", "Sanna",
           "Farina", "Rizzi", "Monti", "Cattaneo", "Morelli", "Amato", "Silvestri", "Mazza", "Testa", "Grassi",
           "Pellegrino", "Carbone", "Giuliani", "Benedetti", "Barone", "Rossetti", "Caputo", "Montanari", "Guerra",
           "Palmieri", "Bernardi", "Martino", "Fiore", "De Rosa", "Ferretti", "Bellini", "Basile", "Riva", "Donati")
EN_FIRST_M = ("James", "John", "Michael", "David", "Daniel", "Thomas", "Matthew", "Andrew", "Peter", "Mark", "Paul",
              "Oliver", "Harry", "George", "Jack", "William", "Liam", "Ryan", "Sean", "Patrick", "Richard", "Simon",
              "Christopher", "Edward", "Samuel", "Joseph", "Benjamin", "Adam", "Luke", "Nathan", "Owen", "Callum")
EN_FIRST_F = ("Emma", "Olivia", "Sophie", "Emily", "Charlotte", "Hannah", "Lucy", "Sarah", "Rachel", "Laura",
              "Jessica", "Amy", "Kate", "Grace", "Chloe", "Megan", "Claire", "Helen", "Anna", "Rebecca", "Victoria",
              "Eleanor", "Alice", "Holly", "Natalie", "Fiona", "Louise", "Jennifer", "Zoe", "Abigail", "Ruth", "Molly")
EN_LAST = ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
           "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Murphy",
           "O'Brien", "Kelly", "Hughes", "Miller", "Bennett", "Rossi", "Edwards", "Turner", "Harris", "Martin",
           "Cooper", "King", "Lee", "Baker", "Harrison", "Morgan", "Allen", "Campbell", "Stewart", "Scott", "Young",
           "Mitchell", "Ward", "Watson", "Morris", "Phillips", "Parker", "Price", "Bailey", "Collins", "Reid")

IT_DOMAINS = (("gmail.com", 40), ("libero.it", 15), ("hotmail.it", 8), ("yahoo.it", 6), ("outlook.it", 6),
              ("icloud.com", 6), ("alice.it", 5), ("virgilio.it", 4), ("tiscali.it", 4), ("tim.it", 3),
              ("fastwebnet.it", 3))
EN_DOMAINS = (("gmail.com", 45), ("outlook.com", 15), ("hotmail.co.uk", 10), ("yahoo.co.uk", 8),
              ("icloud.com", 10), ("btinternet.com", 5), ("proton.me", 7))
IT_MOBILE_PREFIXES = ("320", "324", "327", "328", "329", "330", "331", "333", "334", "335", "336", "338", "339",
                      "340", "342", "345", "346", "347", "348", "349", "351", "366", "370", "377", "380", "388",
                      "389", "391", "392", "393")
CITIES = (("Milano", "20", "MI"), ("Roma", "00", "RM"), ("Napoli", "80", "NA"), ("Torino", "10", "TO"),
          ("Bologna", "40", "BO"), ("Firenze", "50", "FI"), ("Bari", "70", "BA"), ("Palermo", "90", "PA"),
          ("Genova", "16", "GE"), ("Verona", "37", "VR"), ("Padova", "35", "PD"), ("Brescia", "25", "BS"),
          ("Bergamo", "24", "BG"), ("Monza", "20", "MB"), ("Lecce", "73", "LE"), ("Cagliari", "09", "CA"))
STREETS = ("Via Roma", "Via Garibaldi", "Via Mazzini", "Corso Italia", "Via Verdi", "Viale Europa", "Via Dante",
           "Via Cavour", "Via Manzoni", "Piazza della Repubblica", "Via dei Mille", "Via Matteotti", "Via Marconi",
           "Via San Francesco", "Viale dei Pini", "Via delle Rose", "Via Leopardi", "Corso Vittorio Emanuele")
SERVICES = ("mobile", "fibra", "luce", "gas")
HOMONYM_SHARE = 0.04  # persons deliberately given the full name of an earlier person
SOCIAL_SHARE = 0.35  # persons with a public social handle


@dataclass(frozen=True)
class Person:
    """One real (fictional) customer, the ground truth behind `labels.true_customer`."""

    id: str
    lang: str
    first: str
    last: str
    email: str
    work_email: str | None
    cc: str  # country calling code of the mobile: "39" or "44"
    mobile: str  # national significant number, digits only
    landline: str | None  # a home or office line some people call from, never given in writing
    handle: str | None
    customer_code: str  # the brand's customer id (brands.new_code: LMN4821937, AU12345678, TN482193K, ...)
    pod: str  # the electricity supply point code (POD) of the home
    iban: str
    street: str
    city: str
    cap: str
    province: str
    years: int  # customer since
    services: tuple[str, ...]
    brand: str = "Lumina"  # the short name of the brand the customer has a contract with (data.demo.brands)

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def address(self) -> str:
        return f"{self.street}, {self.cap} {self.city} ({self.province})"


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def canonical_email(address: str) -> str:
    """The mailbox an address reaches: case-insensitive; for Gmail, dots and +tags do not matter."""
    local, _, domain = address.lower().partition("@")
    domain = "gmail.com" if domain == "googlemail.com" else domain
    local = local.split("+", 1)[0]
    if domain == "gmail.com":
        local = local.replace(".", "")
    return f"{local}@{domain}"


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _email(rng: random.Random, first: str, last: str, lang: str) -> str:
    f, la, yy = _ascii(first), _ascii(last), rng.randint(55, 99) if rng.random() < 0.5 else rng.randint(0, 9)
    local = rng.choice((f"{f}.{la}", f"{f}{la}", f"{f[0]}{la}", f"{f}.{la}{yy}", f"{la}.{f}", f"{f}_{la}{yy}",
                        f"{f}{yy}{rng.randint(1, 99)}", f"{f[0]}.{la}{rng.randint(1, 999)}"))
    return f"{local}@{_weighted(rng, IT_DOMAINS if lang == 'it' else EN_DOMAINS)}"


def _iban_it(rng: random.Random) -> str:
    """An Italian IBAN with a correct CIN (same odd/even tables as the codice fiscale) and mod-97 check digits."""
    odd = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21)
    bban = f"{rng.randint(1000, 9999):05d}{rng.randint(1000, 99999):05d}{rng.randint(0, 10**12 - 1):012d}"
    total = sum(odd[int(ch)] if i % 2 == 0 else int(ch) for i, ch in enumerate(bban))
    bban = chr(ord("A") + total % 26) + bban
    return f"IT{_iban.calc_check_digits('IT00' + bban)}{bban}"


class _Unique:
    """Draws values until one is unused (after `key`): identifiers must not collide between persons."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def draw(self, make: Callable[[], str], key: Callable[[str], str] = str) -> str:
        value = make()
        while key(value) in self.used:
            value = make()
        self.used.add(key(value))
        return value


def _name(rng: random.Random, lang: str) -> tuple[str, str]:
    female = rng.random() < 0.5
    if lang == "it":
        return rng.choice(IT_FIRST_F if female else IT_FIRST_M), rng.choice(IT_LAST)
    return rng.choice(EN_FIRST_F if female else EN_FIRST_M), rng.choice(EN_LAST)


def _trap_email(donor: Person | None, unique: _Unique) -> str | None:
    """A homonym whose address differs from the donor's only by dots, on a provider where dots matter: merging the
    two is a mistake resolvers make when they strip dots everywhere, not only on Gmail."""
    if donor is None:
        return None
    local, domain = donor.email.split("@")
    twin = f"{local.replace('.', '')}@{domain}"
    if domain == "gmail.com" or "." not in local or twin in unique.used:
        return None
    unique.used.add(twin)
    return twin


def _handle(rng: random.Random, first: str, last: str) -> str:
    f, la = _ascii(first), _ascii(last)
    base = rng.choice((f"{f}_{la}", f"{f}{la[:1]}", f"{f[:4]}{la[:4]}", f"the_{f}"))
    return f"{base}{rng.randint(1, 99) if rng.random() < 0.7 else ''}"


def make_people(rng: random.Random, n: int, *, it_share: float = 0.7) -> list[Person]:
    """`n` distinct customers; identifiers unique after normalisation, a few deliberate homonyms."""
    people: list[Person] = []
    unique = _Unique()
    for i in range(n):
        lang = "it" if rng.random() < it_share else "en"
        same_lang = [p for p in people[-200:] if p.lang == lang]
        donor = rng.choice(same_lang) if same_lang and rng.random() < HOMONYM_SHARE else None
        first, last = (donor.first, donor.last) if donor is not None else _name(rng, lang)
        email = _trap_email(donor, unique) or unique.draw(partial(_email, rng, first, last, lang), canonical_email)
        work = None
        if rng.random() < 0.12:
            company = rng.choice(("studiobianchi.it", "acme-srl.it", "comune.example.it", "techsolutions.eu"))
            work = unique.draw(partial(_work_email, rng, first, last, company))
        uk = lang == "en" and rng.random() < 0.3
        mobile = unique.draw(partial(_mobile, rng, uk))
        landline = unique.draw(partial(_landline, rng)) if rng.random() < 0.3 else None
        handle = unique.draw(partial(_handle, rng, first, last), str.lower) if rng.random() < SOCIAL_SHARE else None
        city, cap_prefix, province = rng.choice(CITIES)
        services = tuple(s for s in SERVICES if rng.random() < (0.8 if s in ("mobile", "fibra") else 0.45))
        brand = draw_brand(rng)
        people.append(Person(
            id=f"person-{i + 1:05d}", lang=lang, first=first, last=last, email=email, work_email=work,
            cc="44" if uk else "39", mobile=mobile, landline=landline, handle=handle,
            customer_code=unique.draw(partial(new_code, rng, brand)),
            pod=unique.draw(lambda: f"IT001E{rng.randint(10_000_000, 99_999_999)}"),
            iban=_iban_it(rng), street=f"{rng.choice(STREETS)} {rng.randint(1, 180)}", city=city,
            cap=f"{cap_prefix}{rng.randint(100, 199)}", province=province, years=rng.randint(2, 20),
            services=services or ("mobile",), brand=brand.short))
    return people


def _work_email(rng: random.Random, first: str, last: str, company: str) -> str:
    return f"{_ascii(first)[0]}.{_ascii(last)}{rng.randint(1, 99)}@{company}"


def _mobile(rng: random.Random, uk: bool) -> str:
    if uk:
        return f"7{rng.randint(400, 599)}{rng.randint(0, 999_999):06d}"
    return f"{rng.choice(IT_MOBILE_PREFIXES)}{rng.randint(0, 9_999_999):07d}"


def _landline(rng: random.Random) -> str:
    return f"0{rng.choice(('2', '6', '11', '51', '55', '81'))}{rng.randint(10**6, 10**7 - 1)}"


def email_variant(rng: random.Random, address: str) -> str:
    """The same mailbox as typed in one contact: case changes, Gmail dots and +tags."""
    local, domain = address.split("@")
    roll = rng.random()
    if roll < 0.55:
        return address
    if roll < 0.72:
        return rng.choice((f"{local.capitalize()}@{domain}", f"{local}@{domain.capitalize()}", address.upper(),
                           f"{'.'.join(w.capitalize() for w in local.split('.'))}@{domain}"))
    if domain == "gmail.com" and roll < 0.9:
        plain = local.replace(".", "")
        cut = rng.randint(1, max(1, len(plain) - 1))
        return rng.choice((f"{plain}@gmail.com", f"{plain[:cut]}.{plain[cut:]}@gmail.com", f"{local}@googlemail.com"))
    if domain in ("gmail.com", "outlook.com", "outlook.it", "proton.me"):
        return f"{local}+{rng.choice(('lumina', 'bollette', 'casa'))}@{domain}"
    return address


def phone_variant(rng: random.Random, person: Person, style: str) -> str:
    """The mobile as a channel or a person writes it. `style`: caller_id, whatsapp or typed."""
    cc, n = person.cc, person.mobile
    a, b = n[:3] if cc == "39" else n[:4], n[3:] if cc == "39" else n[4:]
    if style == "caller_id":
        return rng.choice((f"+{cc}{n}", f"+{cc}{n}", f"00{cc}{n}", n if cc == "39" else f"+{cc}{n}"))
    if style == "whatsapp":
        return rng.choice((f"{cc}{n}", f"{cc}{n}", f"+{cc} {a} {b[:3]} {b[3:]}"))
    if cc == "44":  # a UK number written without +44 (07...) reads as an Italian landline: written rarely
        return rng.choice((f"+44 {a} {b}", f"+44{n}", f"0044 {a} {b}", f"+44 {a} {b[:3]} {b[3:]}",
                           f"0{n}" if rng.random() < 0.3 else f"+44{n}"))
    return rng.choice((f"+39 {a} {b}", n, f"0039-{a}-{b[:3]}-{b[3:]}", f"{a} {b[:3]} {b[3:]}", f"+39{n}", f"{a}/{b}",
                       f"+39 {a} {b[:3]} {b[3:5]} {b[5:]}", f"{a}-{b}",
                       f"({'+' if rng.random() < 0.5 else '00'}39) {a}.{b[:3]}.{b[3:]}", f"{a} {b}"))




def name_variant(rng: random.Random, person: Person) -> str:
    """A display or signature name: weak evidence, written many ways."""
    return rng.choice((person.name, person.name, person.name, f"{person.last.upper()} {person.first.upper()}",
                       f"{person.first[0]}. {person.last}", person.name.lower(), person.first,
                       f"{person.last} {person.first}"))
