"""Train / validation / test splits of Contacts that never leak a conversation or a text across splits.

Contacts that must stay together form one group (union-find over shared keys):

- the same conversation, by `group_by`:
  "thread" (default): the thread_id; without one, any shared customer identifier (id, email, phone, social handle,
  other ids; never the display name); without those, the contact alone.
  "customer": any shared customer identifier or thread_id (a customer's whole history stays on one side).
  "contact": the contact alone.
- the same customer text: the customer's words (body, or customer turns) after NFKC, casefolding and whitespace
  collapsing. Identical texts always share a group, whatever `group_by` says.

Groups are assigned greedily, largest first (random order among equal sizes, from `seed`), to the split that still
has room for the group's stratum (its most common claim label, else sentiment label) and, among those, is the
furthest below its overall target. Strata too small to reach every split go where the overall split is shortest.
The result depends only on the contacts' ids, texts and keys and on `seed`, not on input order.

`stratified_split` is the per-label alternative (a user's own labelled file, or any head config with
`split.method: stratified`): the same groups, but each label is divided on its own, so that every label with at
least one example per role reaches every role (`role_counts`), a label with fewer stays in train, and which groups
go where depends on the customers' words and `seed` only, never on row order or on row-numbered ids.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Literal

from claimtriage.data.schema import Contact

SPLIT_NAMES = ("train", "validation", "test")
GroupBy = Literal["thread", "customer", "contact"]
_SPACE = re.compile(r"\s+")


def normalised_text(contact: Contact) -> str:
    """The customer's words as compared for duplicates: NFKC, casefolded, whitespace collapsed."""
    text = " ".join(contact.customer_turns())
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _customer_keys(contact: Contact) -> list[str]:
    who = contact.customer
    keys = [f"{kind}:{value.strip().casefold()}" for kind, value in (
        ("customer_id", who.customer_id), ("email", who.email), ("phone", who.phone), ("handle", who.social_handle),
    ) if value and value.strip()]
    keys += [f"other:{name}={value}" for name, value in sorted(who.other.items()) if value]
    return keys


def _group_keys(contact: Contact, group_by: GroupBy) -> list[str]:
    thread = [f"thread:{contact.thread_id}"] if contact.thread_id else []
    if group_by == "thread":
        keys = thread or _customer_keys(contact)
    elif group_by == "customer":
        keys = _customer_keys(contact) + thread
    elif group_by == "contact":
        keys = []
    else:
        raise ValueError(f"group_by must be 'thread', 'customer' or 'contact', not {group_by!r}")
    text = normalised_text(contact)
    return keys + ([f"text:{text}"] if text else [])


def _groups(contacts: Sequence[Contact], group_by: GroupBy) -> list[list[int]]:
    """Indices of contacts that must share a split, one list per group."""
    parent = list(range(len(contacts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, contact in enumerate(contacts):
        for key in _group_keys(contact, group_by):
            if key in owner:
                parent[find(index)] = find(owner[key])
            else:
                owner[key] = index
    members: dict[int, list[int]] = defaultdict(list)
    for index in range(len(contacts)):
        members[find(index)].append(index)
    return list(members.values())


def _stratum(contacts: Sequence[Contact], group: list[int]) -> str:
    labels = Counter(
        c.labels.claim or c.labels.sentiment or "" for c in (contacts[i] for i in group) if c.labels is not None
    )
    # most common label; ties go to the alphabetically first so that the choice does not depend on order
    return min(labels.items(), key=lambda item: (-item[1], item[0]))[0] if labels else ""


def _check_fractions(fractions: Sequence[float]) -> tuple[float, float, float]:
    if len(fractions) != 3 or any(f < 0 for f in fractions) or abs(sum(fractions) - 1.0) > 1e-6:
        raise ValueError(
            f"fractions must be 3 non-negative numbers summing to 1 (train, validation, test): {fractions}"
        )
    return (float(fractions[0]), float(fractions[1]), float(fractions[2]))


def split_contacts(
    contacts: Iterable[Contact],
    *,
    fractions: Sequence[float] = (0.8, 0.1, 0.1),
    seed: int = 0,
    group_by: GroupBy = "thread",
) -> dict[str, list[Contact]]:
    """Contacts split into "train", "validation" and "test", keeping every group on one side (see module doc)."""
    shares = _check_fractions(fractions)
    items = list(contacts)
    groups = _groups(items, group_by)
    strata = [_stratum(items, g) for g in groups]
    # a canonical order first (by smallest contact id), so that only the seed decides the shuffle
    order = sorted(range(len(groups)), key=lambda g: min(items[i].id for i in groups[g]))
    random.Random(seed).shuffle(order)
    order.sort(key=lambda g: -len(groups[g]))  # stable: the shuffle still orders groups of equal size

    stratum_size: Counter[str] = Counter()
    for g, stratum in enumerate(strata):
        stratum_size[stratum] += len(groups[g])
    total = len(items)
    filled = [0, 0, 0]
    stratum_filled: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    assignment: dict[int, int] = {}
    for g in order:
        size, counts = len(groups[g]), stratum_filled[strata[g]]
        room = [shares[s] * stratum_size[strata[g]] - counts[s] for s in range(3)]
        overall = [shares[s] * total - filled[s] for s in range(3)]
        fits = [s for s in range(3) if room[s] >= size] or [s for s in range(3) if room[s] > 0]
        chosen = max(fits, key=lambda s: (overall[s], -s))
        filled[chosen] += size
        counts[chosen] += size
        for i in groups[g]:
            assignment[i] = chosen
    return _by_role(items, assignment)


def role_counts(n: int, fractions: Sequence[float]) -> tuple[int, int, int]:
    """How many of a label's `n` examples go to train, validation and test in `stratified_split`.

    Each held-out role with a share > 0 gets its rounded share but at least one example, and train keeps the rest
    (at least one); a label with fewer examples than 1 + the held-out roles stays whole in train."""
    shares = _check_fractions(fractions)
    held = [s for s in (1, 2) if shares[s] > 0]
    counts = [n, 0, 0]
    if n < 1 + len(held):
        return (n, 0, 0)
    for s in held:
        counts[s] = max(1, int(n * shares[s] + 0.5))
    while counts[1] + counts[2] > n - 1:  # train keeps at least one: trim the larger held-out role
        s = max(held, key=lambda r: (counts[r], -r))
        counts[s] -= 1
    counts[0] = n - counts[1] - counts[2]
    return (counts[0], counts[1], counts[2])


def _default_label(contact: Contact) -> str | None:
    return (contact.labels.claim or contact.labels.sentiment) if contact.labels is not None else None


def stratified_split(
    contacts: Iterable[Contact],
    *,
    fractions: Sequence[float] = (0.8, 0.1, 0.1),
    seed: int = 0,
    group_by: GroupBy = "thread",
    label_of: Callable[[Contact], str | Sequence[str] | None] | None = None,
) -> dict[str, list[Contact]]:
    """Contacts split into "train", "validation" and "test" label by label, keeping every group on one side.

    A group's stratum is its members' most common label (`label_of`, by default the claim else the sentiment label;
    for a list of labels its rarest one; ties to the alphabetically first). Each stratum is divided by `role_counts`
    on its own: its groups are visited in an order drawn from `seed` and the group's words (never its ids or its
    position in the file) and each goes to the held-out role with the most room left that it fits, else to train.
    A stratum too small for a held-out role stays in train. Each split keeps the input order of its contacts.
    """
    shares = _check_fractions(fractions)
    items = list(contacts)
    label_of = label_of or _default_label
    labels = [label_of(c) for c in items]
    frequency: Counter[str] = Counter(
        lab for value in labels if value is not None for lab in ([value] if isinstance(value, str) else value))

    def one(value: str | Sequence[str] | None) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        return min(value, key=lambda lab: (frequency[lab], lab)) if value else ""

    groups = _groups(items, group_by)
    strata: dict[str, list[int]] = defaultdict(list)
    for g, members in enumerate(groups):
        votes = Counter(one(labels[i]) for i in members)
        strata[min(votes.items(), key=lambda item: (-item[1], item[0]))[0]].append(g)

    def key(g: int) -> tuple[str, str]:
        words = min((normalised_text(items[i]) for i in groups[g]), default="")
        anchor = words or min(items[i].id for i in groups[g])
        return hashlib.sha256(f"{seed}\x00{anchor}".encode()).hexdigest(), anchor

    assignment: dict[int, int] = {}
    for stratum in sorted(strata):
        members = sorted(strata[stratum], key=key)
        targets = role_counts(sum(len(groups[g]) for g in members), shares)
        filled = [0, 0, 0]
        for g in members:
            size = len(groups[g])
            room = {s: targets[s] - filled[s] for s in (1, 2) if targets[s] - filled[s] >= size}
            chosen = max(room, key=lambda s: (room[s], -s)) if room else 0
            filled[chosen] += size
            for i in groups[g]:
                assignment[i] = chosen
    return _by_role(items, assignment)


def _by_role(items: Sequence[Contact], assignment: Mapping[int, int]) -> dict[str, list[Contact]]:
    """The contacts of each role, in their original order, from a role index per contact."""
    splits: dict[str, list[Contact]] = {name: [] for name in SPLIT_NAMES}
    for index, contact in enumerate(items):
        splits[SPLIT_NAMES[assignment[index]]].append(contact)
    return splits


def check_no_leakage(splits: Mapping[str, Sequence[Contact]], *, examples: int = 5) -> list[str]:
    """Problems that would leak between splits: a contact id, thread id or customer text in more than one split."""
    where: dict[str, dict[str, set[str]]] = {"contact id": defaultdict(set), "thread id": defaultdict(set),
                                             "customer text": defaultdict(set)}
    for name, contacts in splits.items():
        for contact in contacts:
            where["contact id"][contact.id].add(name)
            if contact.thread_id:
                where["thread id"][contact.thread_id].add(name)
            if text := normalised_text(contact):
                where["customer text"][text].add(name)
    problems = []
    for kind, places in where.items():
        shared = sorted((key, sorted(names)) for key, names in places.items() if len(names) > 1)
        for key, names in shared[:examples]:
            problems.append(f"{kind} {key[:80]!r} is in {' and '.join(names)}")
        if len(shared) > examples:
            problems.append(f"... and {len(shared) - examples} more {kind}s in more than one split")
    return problems
