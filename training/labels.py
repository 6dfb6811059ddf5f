"""What a head learns from a contact: its text view and its label, including the documented complexity rule.

Complexity is rarely labelled. Where it is not, it is derived from what happened to the claim (`derived` label):

| signal | value -> component in [0, 1] |
|---|---|
| explicit `labels.complexity_score` / `labels.complexity` | used as is (low 0.0, medium 0.5, high 1.0) |
| STC-3 mean "accomplished" A in [-2, 2] | (2 - A) / 4: a thread the helpdesk did not accomplish was hard |
| `outcome.resolved_by` | bot 0.0, agent 0.5, unresolved 1.0 |
| `outcome.handle_time_s` | min(t / 1800 s, 1) |
| `outcome.contacts_to_resolution` | min((n - 1) / 3, 1) |
| `outcome.transfers` | min(t / 2, 1) |
| `outcome.company_response` (CFPB) | explanation 0.3, non-monetary relief 0.6, monetary relief 0.8, untimely 1.0 |
| `outcome.disputed` | +0.2 when the customer disputed the response |

The score is the mean of the components present (STC-3 A alone when present, since it is the annotators' direct
judgement); the label cuts it at 1/3 and 2/3. A contact with none of these signals has no complexity label.

Sentiment is labelled in tweet sets, but customer-care threads rarely carry it; the `derived_sentiment` label reads,
in order: an explicit `labels.sentiment`, then `labels.sentiment_score` in [-1, 1], then the STC-3 annotators' mean
satisfaction S in [-2, 2] as the score S / 2. A score is cut at -1/3 and 1/3 (negative / neutral / positive), the
same thirds as the sentiment head's own score. A contact with none of these has no sentiment label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from claimtriage.data.normalise import normalise
from claimtriage.data.schema import Contact
from claimtriage.models.triage_model import view_text

LEVEL_SCORES = {"low": 0.0, "medium": 0.5, "high": 1.0}
RESOLVED_BY = {"bot": 0.0, "agent": 0.5, "unresolved": 1.0}
COMPANY_RESPONSE = {
    "closed with explanation": 0.3,
    "closed with non-monetary relief": 0.6,
    "closed with monetary relief": 0.8,
    "untimely response": 1.0,
}


def complexity_level(score: float) -> str:
    """low / medium / high from a score in [0, 1]."""
    return "low" if score < 1 / 3 else "medium" if score < 2 / 3 else "high"


def derived_complexity(contact: Contact) -> tuple[str, float] | None:
    """(label, score) by the rule in the module docstring, or None when the contact carries no signal."""
    labels, outcome = contact.labels, contact.outcome
    if labels is not None:
        if labels.complexity_score is not None:
            return complexity_level(labels.complexity_score), labels.complexity_score
        if labels.complexity is not None:
            return labels.complexity, LEVEL_SCORES[labels.complexity]
        accomplished = labels.signals.get("A")
        if isinstance(accomplished, int | float):
            score = min(max((2.0 - float(accomplished)) / 4.0, 0.0), 1.0)
            return complexity_level(score), score
    if outcome is None:
        return None
    parts: list[float] = []
    if outcome.resolved_by is not None:
        parts.append(RESOLVED_BY[outcome.resolved_by])
    if outcome.handle_time_s is not None:
        parts.append(min(outcome.handle_time_s / 1800.0, 1.0))
    if outcome.contacts_to_resolution is not None:
        parts.append(min((outcome.contacts_to_resolution - 1) / 3.0, 1.0))
    if outcome.transfers is not None:
        parts.append(min(outcome.transfers / 2.0, 1.0))
    if outcome.company_response and outcome.company_response.lower() in COMPANY_RESPONSE:
        parts.append(COMPANY_RESPONSE[outcome.company_response.lower()])
    if not parts:
        return None
    score = sum(parts) / len(parts)
    if outcome.disputed:
        score = min(score + 0.2, 1.0)
    return complexity_level(score), score


def sentiment_level(score: float) -> str:
    """negative / neutral / positive from a score in [-1, 1]."""
    return "negative" if score < -1 / 3 else "positive" if score > 1 / 3 else "neutral"


def derived_sentiment(contact: Contact) -> str | None:
    """The sentiment label by the rule in the module docstring, or None when the contact carries no signal."""
    labels = contact.labels
    if labels is None:
        return None
    if labels.sentiment is not None:
        return labels.sentiment
    if labels.sentiment_score is not None:
        return sentiment_level(labels.sentiment_score)
    satisfaction = labels.signals.get("S")
    if isinstance(satisfaction, int | float):
        return sentiment_level(min(max(float(satisfaction) / 2.0, -1.0), 1.0))
    return None


def head_label(contact: Contact, field: str) -> str | list[str] | None:
    """The label a head learns for this contact, or None when the contact has none."""
    if field == "derived":
        derived = derived_complexity(contact)
        return derived[0] if derived else None
    if field == "derived_sentiment":
        return derived_sentiment(contact)
    if contact.labels is None:
        return None
    if field == "claims":
        return list(contact.labels.claims) or ([contact.labels.claim] if contact.labels.claim else None)
    return getattr(contact.labels, field)


@dataclass(frozen=True)
class Examples:
    """Aligned texts and labels for one head, with the contacts they came from (for slices)."""

    contacts: list[Contact]
    texts: list[str]
    labels: list

    def __len__(self) -> int:
        return len(self.texts)


def build_examples(contacts: Sequence[Contact], *, label: str, view: str, keep_unlabelled: bool = False,
                   cache: dict[int, Any] | None = None) -> Examples:
    """Normalise (and so redact) every contact, pick its text view and label; drop unlabelled unless asked.

    `cache` (keyed by object identity) lets several heads share one normalisation of the same contacts."""
    kept, texts, labels = [], [], []
    for contact in contacts:
        target = head_label(contact, label)
        if target is None and not keep_unlabelled:
            continue
        if cache is None:
            normalised = normalise(contact)
        else:
            normalised = cache.get(id(contact)) or cache.setdefault(id(contact), normalise(contact))
        text = view_text(normalised, view)
        if not text.strip():
            continue
        kept.append(contact)
        texts.append(text)
        labels.append(target)
    return Examples(kept, texts, labels)
