"""Identifiers normalised into comparable keys, and the rules that say which contacts are one customer.

Strong identifiers (customer id, email, phone, social handle, contract codes such as a POD) join contacts into one
customer; a name is weak evidence and never joins anything on its own. An explicit customer id wins: a contact that
carries customer id A is A's, whatever else it shares with customer B, and the overlap with B is recorded as a
candidate merge for a person to review, never merged silently.

Keys look like `cid:LMN4821937`, `email:mariorossi@gmail.com`, `phone:+393401234567`, `handle:mario_r`,
`other:pod:IT001E12345678`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Iterable

import phonenumbers

from claimtriage.data.deployment import GENERIC_CODE_PATTERN, Deployment
from claimtriage.data.journeys.spoken import dictated
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
    """The normalised keys of one contact. `customer_id` is the channel's explicit id; `strong` every identifier the
    channel gave (sender address, caller ID, handle, login); `written` the identifiers found in the customer's own
    words, which are weaker: see `resolve`."""

    customer_id: str | None = None
    strong: frozenset[str] = field(default_factory=frozenset)
    name: str | None = None
    written: frozenset[str] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not self.strong and not self.written

    @property
    def written_customer_id(self) -> str | None:
        """A customer code the customer wrote (found by the deployment's code format)."""
        return next((k for k in sorted(self.written) if k.startswith("cid:")), None)


@dataclass(frozen=True)
class TextIdentifiers:
    """How identifiers are read from the customer's own words, and which identifiers are the company's own.

    `customer_id_pattern` finds a customer code (its group `code` when it has one, else the whole match); the
    company's domains, addresses, phone numbers and handles (`data.deployment`) are never a customer's identifier,
    whether the channel gives them or the text holds them. The defaults are the generic rules of
    `Deployment.generic()`: a code only where the customer introduces it, no company identifiers known."""

    customer_id_pattern: str | None = GENERIC_CODE_PATTERN
    own_domains: tuple[str, ...] = ()
    own_addresses: tuple[str, ...] = ()
    own_phones: tuple[str, ...] = ()
    own_handles: tuple[str, ...] = ()
    region: str = DEFAULT_REGION

    def __post_init__(self) -> None:
        object.__setattr__(self, "_code", re.compile(self.customer_id_pattern) if self.customer_id_pattern else None)
        company = {f"email:{e}" for a in self.own_addresses if (e := normalise_email(a))}
        company |= {f"phone:{p}" for n in self.own_phones if (p := normalise_phone(n, self.region))}
        company |= {f"handle:{h}" for n in self.own_handles if (h := normalise_handle(n))}
        object.__setattr__(self, "_company", frozenset(company))

    @classmethod
    def from_deployment(cls, deployment: Deployment) -> TextIdentifiers:
        return cls(customer_id_pattern=deployment.code_pattern, own_domains=tuple(deployment.company_email_domains),
                   own_addresses=tuple(deployment.company_email_addresses),
                   own_phones=tuple(deployment.company_phone_numbers), own_handles=tuple(deployment.company_handles),
                   region=deployment.brand.country)

    def is_company(self, key: str) -> bool:
        """Whether a key is one of the company's own identifiers (never a join key)."""
        if key in self._company:
            return True
        if key.startswith("email:"):
            domain = key.rsplit("@", 1)[-1]
            return any(domain == d or domain.endswith("." + d) for d in self.own_domains)
        return False

    def find_code(self, text: str) -> str | None:
        if self._code is None or not (m := self._code.search(text)):
            return None
        return m.group("code") if "code" in self._code.groupindex else m.group(0)


_EMAIL_IN_TEXT = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def written_keys(texts: Iterable[str], config: TextIdentifiers) -> frozenset[str]:
    """Every identifier key in the customer's words: the first customer code, every email and phone number that is
    not the company's own, as written or as dictated on a call or hidden from spam bots (`spoken.dictated`: "o elle
    due zero ...", "mario punto rossi chiocciola gmail punto com"). Raw texts are read here and never kept."""
    keys: set[str] = set()
    code_found = False
    for text in texts:
        spoken = dictated(text)  # a call's "o elle due zero quattro ...": written as the patterns read it
        readings = (text,) if spoken == text else (text, spoken)
        for reading in readings:  # what is written as written wins the code; the dictated variant adds to it
            if not code_found and (code := config.find_code(reading)) and (normalised := normalise_code(code)):
                keys.add(f"cid:{normalised}")
                code_found = True
            for m in phonenumbers.PhoneNumberMatcher(reading, config.region, leniency=phonenumbers.Leniency.VALID):
                keys.add(f"phone:{phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)}")
            for m in _EMAIL_IN_TEXT.finditer(reading):
                if e := normalise_email(m.group(0).rstrip(".")):
                    keys.add(f"email:{e}")
    return frozenset(k for k in keys if not config.is_company(k))


def contact_keys(ids: CustomerIdentifiers, texts: Iterable[str], config: TextIdentifiers) -> IdentityKeys:
    """The keys of a contact: the channel's identifiers (less the company's own) and those written in `texts`."""
    own = identity_keys(ids)
    strong = frozenset(k for k in own.strong if not config.is_company(k))
    cid = own.customer_id if own.customer_id in strong else None
    return IdentityKeys(customer_id=cid, strong=strong, name=own.name,
                        written=written_keys(texts, config) - strong)


def identity_keys(ids: CustomerIdentifiers) -> IdentityKeys:
    """Normalise every identifier the channel gave into keys; unparseable values are dropped, never guessed. With the
    identifiers written in the customer's words too: `contact_keys`."""
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


class KeyHasher:
    """Identifier keys as keyed hashes (HMAC-SHA-256 under a secret from the settings), as the journey store keeps
    them: `email:h1.<32 hex>`. The kind stays readable, the value does not, and without the secret a phone number
    cannot be found by trying every number. Hashing a hashed key changes nothing."""

    MARK = "h1."

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the identifier key must be at least 16 bytes")
        self._secret = secret

    def key(self, key: str) -> str:
        kind, _, value = key.partition(":")
        if value.startswith(self.MARK):
            return key
        digest = hmac.new(self._secret, key.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
        return f"{kind}:{self.MARK}{digest}"

    def keys(self, keys: IdentityKeys) -> IdentityKeys:
        return replace(keys, customer_id=self.key(keys.customer_id) if keys.customer_id else None,
                       strong=frozenset(self.key(k) for k in keys.strong),
                       written=frozenset(self.key(k) for k in keys.written))

    def check(self) -> str:
        """A fingerprint of the secret, stored with the store, to refuse opening it with another one."""
        return hmac.new(self._secret, b"claimtriage identifier key check", hashlib.sha256).hexdigest()[:16]


#: candidate-merge reasons (stored with each candidate merge; shown in /journeys and the hand-off)
REASON_OTHER_ID = "shares an identifier with a customer that holds another customer id"
REASON_WRITTEN = "the customer wrote {kind} that belongs to another customer"
REASON_AMBIGUOUS = "the identifiers written in the text belong to several customers"
REASON_WRITTEN_BY = "another customer wrote {kind} of this contact's channel in an earlier message"


@dataclass
class Resolution:
    """Where one contact goes: an existing customer, a new one, or nowhere (no usable identifier)."""

    customer: str | None  # the customer key chosen, None when there is no identifier; "" for a new customer
    merge: list[str] = field(default_factory=list)  # other customers that are the same person: merged into `customer`
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (customer, reason): recorded, never merged
    #: keys that become the customer's own identifiers (joining later contacts); the rest of `written` is evidence
    own_keys: frozenset[str] = field(default_factory=frozenset)


def _kind(key: str) -> str:
    return {"cid": "a customer code", "email": "an email address", "phone": "a phone number"}.get(
        key.split(":", 1)[0], "an identifier")


def resolve(keys: IdentityKeys, owners: dict[str, str], customer_ids: dict[str, str | None],
            blocked: frozenset[str] = frozenset(), written_by: dict[str, set[str]] | None = None) -> Resolution:
    """Decide the customer of a contact from the customers that already own its keys.

    `owners` maps each of the contact's keys (channel and written) that is some customer's own identifier to that
    customer; `customer_ids` maps each of those customers to its customer id key (or None); `blocked` holds written
    keys already written by several unrelated customers (a company number nobody configured, say): never join keys.
    The rules:
    - the channel's identifiers decide (`_resolve_channel`): an explicit customer id wins; customers matched through
      other channel identifiers merge into it when they hold no other id, else they become recorded conflicts;
    - an identifier written in the text never joins two customers that already exist: when it belongs to another
      customer than the one the channel identifiers chose, that becomes a recorded candidate merge with a reason.
      Two exceptions, neither of which can merge existing customers: a written customer code places a contact whose
      channel identifiers are all unknown (a relative's phone, a new work address) on the code's customer; and a
      contact with no channel identifier at all joins the one customer its written identifiers point at;
    - a written customer code that nobody holds becomes the customer's own (its `cid:` key) when the customer holds
      no customer id; written emails and phones stay evidence and never join later contacts;
    - the other way round, a channel identifier that one other customer wrote earlier (`written_by`: key -> the
      customers whose contacts wrote it; "my new number is ...", then a message from that number) is a recorded
      candidate merge, never a join (the writer may have given a relative's or a stranger's number).
    Returns `customer=""` when a new customer must be created.
    """
    if keys.empty:
        return Resolution(customer=None)
    written = {k: owners[k] for k in keys.written if k in owners and k not in blocked}
    code = keys.written_customer_id
    if keys.strong:
        channel = {k: v for k, v in owners.items() if k in keys.strong}
        res = _resolve_channel(keys, channel, customer_ids)
        placed = {res.customer, *res.merge}
        for key, holder in sorted(written.items()):
            if holder in placed:
                continue
            if key == code and res.customer == "" and keys.customer_id is None:
                res.customer = holder  # the channel's identifiers are new: the code says whose account this is
                placed.add(holder)
            elif all(holder != c for c, _ in res.conflicts):
                res.conflicts.append((holder, REASON_WRITTEN.format(kind=_kind(key))))
        for key in sorted(k for k in keys.strong if k not in owners):  # recorded once, when the identifier is new
            writers = (written_by or {}).get(key, set())
            if len(writers) != 1:  # nobody, or two or more writers: a shared number, no evidence
                continue
            writer = next(iter(writers))
            if writer not in placed and all(writer != c for c, _ in res.conflicts):
                res.conflicts.append((writer, REASON_WRITTEN_BY.format(kind=_kind(key))))
    else:
        holders = sorted(set(written.values()))
        if code is not None and code in written:
            holder = written[code]
        elif holders:
            votes = {h: sum(1 for v in written.values() if v == h) for h in holders}
            holder = min(holders, key=lambda h: (-votes[h], h))
        elif code is not None and code not in owners:
            holder = ""  # a customer code nobody holds yet: a new customer, known by that code
        else:
            return Resolution(customer=None)
        res = Resolution(customer=holder, conflicts=[(o, REASON_AMBIGUOUS) for o in holders if o != holder])
    held = customer_ids.get(res.customer) if res.customer else None
    own = set(keys.strong)
    # a code nobody holds becomes the customer's own when the customer is the writer's: found by the channel's
    # identifiers, or new (created for the code); never a customer reached only through a written email or phone
    by_channel = bool(keys.strong) or res.customer == ""
    if code is not None and code not in owners and held is None and keys.customer_id is None and by_channel:
        own.add(code)
    res.own_keys = frozenset(own)
    return res


def _resolve_channel(keys: IdentityKeys, owners: dict[str, str], customer_ids: dict[str, str | None]) -> Resolution:
    """Resolution by the channel's identifiers alone (see `resolve`)."""
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
                conflicts.append((other, REASON_OTHER_ID))
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
    return Resolution(customer=anchor, conflicts=[(c, REASON_OTHER_ID) for c in matched if c != anchor])


def partition(contacts: Iterable[tuple[str, IdentityKeys]]) -> dict[str, str | None]:
    """Resolve contacts in the given order with in-memory tables: contact id -> customer key.

    The store does the same against its tables; this is the reference used by the property tests and by batch
    evaluation. Customer keys are `cust-<n>`; a merged customer's contacts move to the surviving key.
    """
    return Partition().add_all(contacts)


class Partition:
    """The in-memory twin of the store's identity tables (`resolve` applied contact by contact)."""

    def __init__(self) -> None:
        self.owners: dict[str, str] = {}
        self.cids: dict[str, str | None] = {}
        self.members: dict[str, list[str]] = {}
        self.writers: dict[str, set[str]] = {}  # written key -> customers whose contacts wrote it
        self.result: dict[str, str | None] = {}
        self.conflicts: list[tuple[str, str, str, str]] = []  # (contact, customer, other, reason)
        self._created = 0

    def add_all(self, contacts: Iterable[tuple[str, IdentityKeys]]) -> dict[str, str | None]:
        for contact_id, keys in contacts:
            self.add(contact_id, keys)
        return self.result

    def blocked(self, keys: Iterable[str]) -> frozenset[str]:
        """Written keys already written by two or more customers other than their owner."""
        return frozenset(k for k in keys if len(self.writers.get(k, set()) - {self.owners.get(k)}) >= 2)

    def add(self, contact_id: str, keys: IdentityKeys) -> str | None:
        found = {k: self.owners[k] for k in keys.strong | keys.written if k in self.owners}
        res = resolve(keys, found, {c: self.cids[c] for c in found.values()}, self.blocked(keys.written),
                      {k: self.writers[k] for k in keys.strong if k in self.writers})
        if res.customer is None:
            self.result[contact_id] = None
            return None
        if not res.customer:
            self._created += 1
        customer = res.customer or f"cust-{self._created}"
        if customer not in self.cids:
            self.cids[customer], self.members[customer] = None, []
        for other in res.merge:
            for key, owner in list(self.owners.items()):
                if owner == other:
                    self.owners[key] = customer
            for writers in self.writers.values():
                if other in writers:
                    writers.discard(other)
                    writers.add(customer)
            for moved in self.members.pop(other):
                self.result[moved] = customer
                self.members[customer].append(moved)
            self.cids[customer] = self.cids[customer] or self.cids.pop(other)
            self.cids.pop(other, None)
        for other, reason in res.conflicts:
            self.conflicts.append((contact_id, customer, other, reason))
        for key in res.own_keys:
            self.owners.setdefault(key, customer)  # a key already held by a conflicting customer stays with it
        if keys.customer_id:
            self.owners[keys.customer_id] = customer
            self.cids[customer] = keys.customer_id
        elif (code := keys.written_customer_id) in res.own_keys and self.cids[customer] is None:
            self.cids[customer] = code
        for key in keys.written - res.own_keys:
            self.writers.setdefault(key, set()).add(customer)
        self.members[customer].append(contact_id)
        self.result[contact_id] = customer
        return customer
