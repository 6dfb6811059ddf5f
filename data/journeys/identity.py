"""Identifiers normalised into comparable keys, and the rules that say which contacts are one customer.

Strong identifiers (customer id, email, phone, social handle, contract codes such as a POD) join contacts into one
customer; a name is weak evidence and never joins anything on its own. An explicit customer id wins: a contact that
carries customer id A is A's, whatever else it shares with customer B, and the overlap with B is recorded as a
candidate merge for a person to review, never merged silently.

Keys look like `cid:LMN4821937`, `email:mariorossi@gmail.com`, `phone:+393401234567`, `handle:mario_r`,
`other:pod:IT001E12345678`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

import phonenumbers

from claimtriage.data.schema import CustomerIdentifiers

#: providers where the part after "+" is a tag on the same mailbox
PLUS_TAG_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "outlook.it", "hotmail.com", "hotmail.it", "live.com", "live.it",
    "proton.me", "protonmail.com", "icloud.com", "me.com", "fastmail.com",
})
#: providers that ignore dots in the local part (only Gmail; elsewhere mario.rossi and mariorossi are two people)
DOTLESS_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
DEFAULT_REGION = "IT"


def normalise_email(address: str) -> str | None:
    """The mailbox an address reaches: case-insensitive, Gmail dots and provider +tags dropped."""
    address = address.strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain:
        return None
    domain = domain.strip(".")
    if domain in PLUS_TAG_DOMAINS:
        local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local = local.replace(".", "")
    domain = DOMAIN_ALIASES.get(domain, domain)
    return f"{local}@{domain}" if local else None


def normalise_phone(number: str, region: str = DEFAULT_REGION) -> str | None:
    """E.164 (+393401234567). Numbers without a country code are read as Italian; "00" is the international prefix."""
    raw = number.strip()
    digits = re.sub(r"[^\d+]", "", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif not digits.startswith("+") and len(digits) >= 11 and digits[:2] in ("39", "44") and digits[2] in "3":
        digits = "+" + digits  # WhatsApp's wa_id: country code without "+" (393401234567)
    try:
        parsed = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_handle(handle: str) -> str | None:
    value = unicodedata.normalize("NFKC", handle).strip().lstrip("@").lower()
    return value or None


def normalise_code(value: str) -> str | None:
    """Customer ids and contract codes: case, spaces and dashes do not matter (lmn-4821937 = LMN4821937)."""
    code = re.sub(r"[\s\-_./]", "", value).upper()
    return code or None


@dataclass(frozen=True)
class IdentityKeys:
    """The normalised keys of one contact. `customer_id` is the explicit id; `strong` every joining key."""

    customer_id: str | None = None
    strong: frozenset[str] = field(default_factory=frozenset)
    name: str | None = None

    @property
    def empty(self) -> bool:
        return not self.strong


@dataclass(frozen=True)
class TextIdentifiers:
    """How identifiers written in the customer's own words are found (a signature, "my customer code is ...").

    `customer_id_pattern` is the provider's customer-code format (a regex whose match, normalised, is the id);
    addresses at `own_domains` are the company's and never identify a customer."""

    customer_id_pattern: str | None = r"\bLMN[\s\-]?\d{7}\b"
    own_domains: tuple[str, ...] = ("lumina-et.it",)
    region: str = DEFAULT_REGION

    def __post_init__(self) -> None:
        object.__setattr__(self, "_code", re.compile(self.customer_id_pattern, re.I) if self.customer_id_pattern else None)


_EMAIL_IN_TEXT = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def identifiers_in_text(texts: Iterable[str], config: TextIdentifiers) -> CustomerIdentifiers:
    """Customer ids, emails and phone numbers the customer wrote or said; the first of each kind found."""
    found: dict[str, str] = {}
    for text in texts:
        if "customer_id" not in found and config._code is not None and (m := config._code.search(text)):
            found["customer_id"] = m.group(0)
        if "email" not in found:
            for m in _EMAIL_IN_TEXT.finditer(text):
                if m.group(0).lower().rsplit("@", 1)[-1].rstrip(".") not in config.own_domains:
                    found["email"] = m.group(0).rstrip(".")
                    break
        if "phone" not in found:
            for m in phonenumbers.PhoneNumberMatcher(text, config.region, leniency=phonenumbers.Leniency.VALID):
                found["phone"] = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
                break
    return CustomerIdentifiers(**found)


def identity_keys(ids: CustomerIdentifiers, written: CustomerIdentifiers | None = None) -> IdentityKeys:
    """Normalise every identifier of a contact into keys; unparseable values are dropped, never guessed.

    `written` holds identifiers found in the customer's text: they join like the channel's own, but a customer id
    given by the channel wins over one written in the text."""
    if written is not None:
        extra = identity_keys(written)
        own = identity_keys(ids)
        cid = own.customer_id or extra.customer_id
        strong = own.strong | (extra.strong - ({extra.customer_id} if own.customer_id else set()))
        return IdentityKeys(customer_id=cid, strong=frozenset(k for k in strong if k), name=own.name)
    keys: set[str] = set()
    cid = normalise_code(ids.customer_id) if ids.customer_id else None
    if cid:
        keys.add(f"cid:{cid}")
    if ids.email and (email := normalise_email(ids.email)):
        keys.add(f"email:{email}")
    if ids.phone and (phone := normalise_phone(ids.phone)):
        keys.add(f"phone:{phone}")
    if ids.social_handle and (handle := normalise_handle(ids.social_handle)):
        keys.add(f"handle:{handle}")
    for kind, value in sorted(ids.other.items()):
        if code := normalise_code(value):
            keys.add(f"other:{kind.strip().lower()}:{code}")
    name = " ".join(sorted(ids.name.lower().split())) if ids.name else None
    return IdentityKeys(customer_id=f"cid:{cid}" if cid else None, strong=frozenset(keys), name=name)


@dataclass
class Resolution:
    """Where one contact goes: an existing customer, a new one, or nowhere (no strong identifier)."""

    customer: str | None  # the customer key chosen, None when there is no identifier
    merge: list[str] = field(default_factory=list)  # other customers that are the same person: merged into `customer`
    conflicts: list[str] = field(default_factory=list)  # customers that share a key but hold another customer id


def resolve(keys: IdentityKeys, owners: dict[str, str], customer_ids: dict[str, str | None]) -> Resolution:
    """Decide the customer of a contact from the customers that already own its keys.

    `owners` maps each of the contact's keys already known to its customer; `customer_ids` maps each of those
    customers to its explicit customer id key (or None). The rules:
    - no strong key: no customer (triaged without a journey);
    - an explicit customer id: that customer (found by its `cid:` key, or new); customers matched by other keys merge
      into it when they have no customer id of their own, and become recorded conflicts when they have another;
    - no customer id: all matched customers merge when at most one holds a customer id; when two or more hold
      different ids the evidence contradicts itself: the contact joins none of them silently; it goes to the
      customer matched by the most keys (ties: the smallest key) and the others are recorded as conflicts.
    Returns `customer=""` when a new customer must be created.
    """
    if keys.empty:
        return Resolution(customer=None)
    matched = sorted(set(owners.values()))
    if keys.customer_id is not None:
        own = owners.get(keys.customer_id)
        if own is None:  # a customer with this id may still be found through its other keys, if it has no id yet
            own = ""
        merge, conflicts = [], []
        for other in matched:
            if other == own:
                continue
            other_id = customer_ids.get(other)
            if other_id is None or other_id == keys.customer_id:
                merge.append(other)
            else:
                conflicts.append(other)
        if own == "" and merge:  # adopt the oldest id-less customer rather than creating one and merging into it
            own, merge = merge[0], merge[1:]
        return Resolution(customer=own, merge=merge, conflicts=conflicts)
    if not matched:
        return Resolution(customer="")
    held = {customer_ids.get(c) for c in matched} - {None}
    if len(held) <= 1:
        anchor = next((c for c in matched if customer_ids.get(c) is not None), matched[0])
        return Resolution(customer=anchor, merge=[c for c in matched if c != anchor])
    votes: dict[str, int] = {}
    for customer in owners.values():
        votes[customer] = votes.get(customer, 0) + 1
    anchor = min(matched, key=lambda c: (-votes[c], c))
    return Resolution(customer=anchor, conflicts=[c for c in matched if c != anchor])


def partition(contacts: Iterable[tuple[str, IdentityKeys]]) -> dict[str, str | None]:
    """Resolve contacts in the given order with an in-memory owner table: contact id -> customer key.

    The store does the same against its tables; this is the reference used by the property tests and by batch
    evaluation. Customer keys are `cust-<n>`; a merged customer's contacts move to the surviving key.
    """
    owners: dict[str, str] = {}
    cids: dict[str, str | None] = {}
    members: dict[str, list[str]] = {}
    result: dict[str, str | None] = {}
    created = 0
    for contact_id, keys in contacts:
        found = {k: owners[k] for k in keys.strong if k in owners}
        res = resolve(keys, found, {c: cids[c] for c in found.values()})
        if res.customer is None:
            result[contact_id] = None
            continue
        if not res.customer:
            created += 1
        customer = res.customer or f"cust-{created}"
        if customer not in cids:
            cids[customer], members[customer] = None, []
        for other in res.merge:
            for key, owner in list(owners.items()):
                if owner == other:
                    owners[key] = customer
            for moved in members.pop(other):
                result[moved] = customer
                members[customer].append(moved)
            cids[customer] = cids[customer] or cids.pop(other)
            cids.pop(other, None)
        for key in keys.strong:
            owners.setdefault(key, customer)  # a key already held by a conflicting customer stays with it
        if keys.customer_id:
            owners[keys.customer_id] = customer
            cids[customer] = keys.customer_id
        members[customer].append(contact_id)
        result[contact_id] = customer
    return result
