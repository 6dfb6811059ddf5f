"""PII redaction into typed placeholders: `[EMAIL]`, `[PHONE]`, `[IBAN]`, `[CARD]`, `[CODICE_FISCALE]`, `[ADDRESS]`,
`[PERSON]` and `[URL]`.

Candidates are found by regular expressions and, for numbers, kept only when a well-kept validator agrees
(`phonenumbers` for phones, `python-stdnum` for IBAN, Luhn card numbers and codici fiscali), so dates, amounts, invoice
and order numbers and random digit strings stay. Numbers right after a reference word ("fattura n.", "order #",
"ticket", "codice cliente", "IMEI") are references, not phones or cards, and stay too.

Choices worth knowing:
- `[URL]` replaces links that have a path or query (`https://facebook.com/mario.rossi`, tracking links carrying an
  email); a bare domain (`www.enel.it`) names a company and stays.
- Toll-free, premium and shared-cost numbers (800 / 199 ...) belong to companies and stay.
- A 16-character string shaped exactly like a codice fiscale is redacted even when its check letter is wrong: a
  mistyped tax code still identifies a person.
- Person names need a cue (see `data.person_names`: self-introductions, titles, greetings, labels and Italian or
  English sign-offs) or must be passed as known `names`; `@handles` are not persons and stay (social handles are
  normalised by `data.normalise`). An agent's note (`notes=True`) also takes the name after a role word ("Customer
  Giulia Bianchi", "Cliente Giulia Bianchi"), which in a customer's own words would name the company ("cliente
  Lumina").

Placeholders contain no digits and no lowercase letters, so redacting redacted text changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

import phonenumbers
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.it import codicefiscale

from claimtriage.data.person_names import find_person_spans

#: PII types in the order they are redacted (earlier ones protect their digits and words from later detectors)
PII_TYPES = ("URL", "EMAIL", "IBAN", "CARD", "CODICE_FISCALE", "PHONE", "ADDRESS", "PERSON")


@dataclass(frozen=True)
class Redaction:
    """Redacted text and how many spans of each PII type were replaced (types with none are absent)."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)


Span = tuple[int, int]

# Italian and English street words: the keyword is what makes a "name + number" an address.
_IT_STREET = (
    r"via|viale|v\.le|piazza|p\.zza|piazzale|p\.le|corso|c\.so|largo|vicolo|vico|strada|contrada|località|loc\.|"
    r"borgo|lungomare|lungotevere|circonvallazione|salita|calle|galleria"
)
_EN_STREET = (
    r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Boulevard|Blvd|Close|Court|Ct|Way|Place|Pl|Crescent|Terrace|"
    r"Gardens|Square|Sq|Grove|Row|Mews|Parade|Walk|Hill"
)
# Words after "via" that say how, not where: "via email 2 volte", "Via WhatsApp 3 giorni fa".
_NOT_STREET_NAMES = frozenset(
    "email e-mail mail pec posta whatsapp chat telefono telefonica sms web app internet bonifico fax social "
    "facebook twitter instagram messenger telegram".split()
)
_REFERENCE_WORDS = (
    r"fattura|fatture|invoice|ordine|order|ticket|pratica|contratto|contract|codice|code|cliente|customer|"
    r"account|ref|reference|riferimento|rif|tracking|spedizione|shipment|pod|pdr|matricola|seriale|serial|imei|"
    r"protocollo|segnalazione|reclamo|claim|case|caso|id|utenza|bolletta|bill|abbonamento|subscription"
)


@cache
def _regexes() -> dict[str, re.Pattern[str]]:
    """Every pattern, compiled on first use so that importing this module costs nothing."""
    cap = r"[A-ZÀ-Þ][\wà-ÿ'’]*"
    particle = r"(?:d[ei]|de[il]|degli|dell[aeo]|delle|dell'|san|santa|sant')"
    it_name = rf"(?:{particle}\s*)?(?:{cap}|[IVXLC]+|\d{{1,2}})(?:\s+(?:{particle}|{cap})){{0,4}}"
    # civic number: "12", "n. 12", "12/B", "12a", "7 B" (not "24 e": a lowercase letter after a space is a word)
    civic = (
        r"(?:,\s*|\s+)(?:n\.?\s*|nr\.?\s*|n°\s*|civico\s+)?\d{1,4}"
        r"(?:(?:/?[A-Za-z]|\s?/\s?[A-Za-z]|\s[A-Z])(?![\wà-ÿ]))?(?![\d,.]\d)"
    )
    # CAP + city (+ province), or city + (province): "20121 Milano (MI)", ", Bologna (BO)"
    city = r"[A-ZÀ-Þ][\wà-ÿ']+"
    it_tail = (
        rf"(?:,?\s*(?:CAP\s*)?\d{{5}}\s+{city}(?:\s+{city})?(?:\s*\(?[A-Z]{{2}}\)?)?"
        rf"|,\s*{city}\s*\([A-Z]{{2}}\))?"
    )
    uk_postcode = r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}"
    en_tail = rf"(?:,?\s*(?:[A-Z][a-z]+(?:\s[A-Z][a-z]+)?,?\s*)?(?:{uk_postcode}|[A-Z]{{2}}\s+\d{{5}}(?:-\d{{4}})?)\b)?"
    return {
        "url": re.compile(
            r"(?i)\b(?:(?:https?://|www\.)[^\s<>\"'\]]+|(?:[a-z0-9-]+\.)+(?:com|it|net|org|eu|io|ly|me|co\.uk|co)"
            r"/[^\s<>\"'\]]+)"
        ),
        "bare_domain": re.compile(r"(?i)^(?:https?://)?(?:www\.)?(?:[a-z0-9-]+\.)+[a-z]{2,}/?$"),
        "email": re.compile(r"(?i)(?<![\w.+-])[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b"),
        "iban": re.compile(r"(?i)\b[a-z]{2}\d{2}[a-z0-9]*(?:[ -][a-z0-9]{1,8})*"),
        "card": re.compile(r"(?<![\w.,/-])\d(?:[ -]?\d){11,22}(?![\w/])"),
        "codice_fiscale": re.compile(
            r"(?i)\b[a-z]{6}[\dlmnp-v]{2}[abcdehlmprst][\dlmnp-v]{2}[a-z][\dlmnp-v]{3}[a-z]\b"
        ),
        "strict_codice_fiscale": re.compile(r"[A-Z]{6}\d{2}[ABCDEHLMPRST](?:[0-6]\d|7[01])[A-Z]\d{3}[A-Z]"),
        "phone_gate": re.compile(r"\d(?:[\s().\-/]{0,3}\d){5,}"),
        "uk_phone": re.compile(r"(?<![\w+])0\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}(?![\w])"),
        "reference_before": re.compile(
            rf"(?i)\b(?:{_REFERENCE_WORDS})\b[^\w\n]{{0,3}}(?:(?:n|nr|no|num|numero|number)\b[^\w\n]{{0,3}})?$"
        ),
        "it_address": re.compile(rf"(?<![\w])(?i:{_IT_STREET})\s+(?P<name>{it_name}){civic}{it_tail}"),
        # informal lowercase ("abito in via roma 12, milano"): only when the number ends the phrase
        "it_address_lower": re.compile(
            rf"(?<![\w])(?i:{_IT_STREET})\s+(?P<name>[a-zà-ÿ']+(?:\s+[a-zà-ÿ']+)?){civic}"
            rf"(?=\s*(?:[,.;!?\n]|$)){it_tail}"
        ),
        "en_address": re.compile(
            rf"(?<![\w])(?:(?i:flat|apt\.?|apartment|unit|suite)\s+\w{{1,5}},?\s+)?\d{{1,5}}[A-Za-z]?,?\s+"
            rf"(?:[A-Z][a-z]+\s+){{1,4}}(?:{_EN_STREET})\b\.?{en_tail}"
        ),
        "lone_cap": re.compile(r"(?i)\bCAP\s*:?\s*\d{5}\b"),
    }


def _is_reference(text: str, start: int) -> bool:
    """True when the number starting at `start` follows a reference word: "fattura n. ", "order #", "ticket "."""
    return _regexes()["reference_before"].search(text, max(0, start - 40), start) is not None


def _chunk_prefixes(match: re.Match[str]) -> Iterator[Span]:
    """Spans of the match cut after each of its space/dash separated chunks, longest first."""
    ends = [m.end() for m in re.finditer(r"[^ -]+", match.group())]
    for end in reversed(ends):
        yield match.start(), match.start() + end


def _url_spans(text: str) -> list[Span]:
    spans = []
    for match in _regexes()["url"].finditer(text):
        url = match.group().rstrip(".,;:!?)")
        if not _regexes()["bare_domain"].match(url):
            spans.append((match.start(), match.start() + len(url)))
    return spans


def _email_spans(text: str) -> list[Span]:
    return [m.span() for m in _regexes()["email"].finditer(text)]


def _iban_spans(text: str) -> list[Span]:
    spans = []
    for match in _regexes()["iban"].finditer(text):
        for start, end in _chunk_prefixes(match):
            if end - start >= 15 and std_iban.is_valid(text[start:end].upper()):
                spans.append((start, end))
                break
    return spans


def _card_spans(text: str) -> list[Span]:
    spans = []
    for match in _regexes()["card"].finditer(text):
        if _is_reference(text, match.start()):
            continue
        for start, end in _chunk_prefixes(match):
            digits = re.sub(r"\D", "", text[start:end])
            # issuer prefixes 2-6 (Mastercard, Amex, Visa, Discover...) make a Luhn pass on a random number rarer
            if 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn.is_valid(digits):
                spans.append((start, end))
                break
    return spans


def _codice_fiscale_spans(text: str) -> list[Span]:
    spans = []
    for match in _regexes()["codice_fiscale"].finditer(text):
        code = match.group().upper()
        if codicefiscale.is_valid(code) or _regexes()["strict_codice_fiscale"].fullmatch(code):
            spans.append(match.span())
    return spans


_COMPANY_NUMBER_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.PREMIUM_RATE,
     phonenumbers.PhoneNumberType.SHARED_COST}
)


def _phone_spans(text: str) -> list[Span]:
    if not _regexes()["phone_gate"].search(text):
        return []  # the matcher is the slow part; most texts have no run of six digits
    spans = []
    for match in phonenumbers.PhoneNumberMatcher(text, "IT"):
        if phonenumbers.number_type(match.number) in _COMPANY_NUMBER_TYPES or _is_reference(text, match.start):
            continue
        spans.append((match.start, match.end))
    # UK national format (07911 123456) is not valid with the Italian default region
    for match in _regexes()["uk_phone"].finditer(text):
        if any(s < match.end() and match.start() < e for s, e in spans) or _is_reference(text, match.start()):
            continue
        try:
            number = phonenumbers.parse(match.group(), "GB")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) not in _COMPANY_NUMBER_TYPES:
            spans.append(match.span())
    return sorted(spans)


def _address_spans(text: str) -> list[Span]:
    spans = []
    for key in ("it_address", "it_address_lower"):
        for match in _regexes()[key].finditer(text):
            if match.group("name").split()[0].lower() not in _NOT_STREET_NAMES:
                spans.append(match.span())
    spans.extend(m.span() for m in _regexes()["en_address"].finditer(text))
    spans.extend(m.span() for m in _regexes()["lone_cap"].finditer(text))
    return spans


_DETECTORS: tuple[tuple[str, Callable[[str], list[Span]]], ...] = (
    ("URL", _url_spans),
    ("EMAIL", _email_spans),
    ("IBAN", _iban_spans),
    ("CARD", _card_spans),
    ("CODICE_FISCALE", _codice_fiscale_spans),
    ("PHONE", _phone_spans),
    ("ADDRESS", _address_spans),
    ("PERSON", find_person_spans),
)


def _replace(text: str, spans: list[Span], placeholder: str) -> tuple[str, int]:
    """Replace non-overlapping spans (the first of overlapping ones wins) with the placeholder."""
    pieces, last, count = [], 0, 0
    for start, end in sorted(spans):
        if start < last:
            continue
        pieces.append(text[last:start])
        pieces.append(placeholder)
        last, count = end, count + 1
    pieces.append(text[last:])
    return "".join(pieces), count


def redact(text: str, *, names: Iterable[str] = (), notes: bool = False) -> Redaction:
    """Replace PII in `text` with typed placeholders such as `[EMAIL]` and count them by type.

    `names`: person names known from elsewhere (another message of the same contact, the customer's display name);
    they and their words are redacted as `[PERSON]` even where no cue announces them. `notes`: `text` is an agent's
    note about a customer (feedback), where a role word introduces a name too ("Customer Giulia Bianchi").
    """
    counts: dict[str, int] = {}
    known_names = frozenset(name.strip() for name in names if name and name.strip())
    for pii_type, find_spans in _DETECTORS:
        # only the person detector takes the contact's known names
        spans = find_person_spans(text, known_names, notes=notes) if pii_type == "PERSON" else find_spans(text)
        if spans:
            text, count = _replace(text, spans, f"[{pii_type}]")
            counts[pii_type] = count
    return Redaction(text=text, counts=counts)
