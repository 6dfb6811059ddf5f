"""OpenAPI examples of the service's request bodies (shown in /docs): contacts of several channels, a batch, feedback."""

from __future__ import annotations

from typing import Any

_WHATSAPP: dict[str, Any] = {
    "id": "wa-20240611-0001",
    "customer": {"phone": "+39 347 123 4567"},
    "channel": "whatsapp",
    "timestamp": "2024-06-11T09:12:00Z",
    "turns": [
        {"speaker": "customer", "text": "Hi, I wrote by email last week: I was charged twice for May and nobody answered."},
        {"speaker": "bot", "text": "I'm sorry. Can you tell me the invoice number?"},
        {"speaker": "customer", "text": "Invoice 2024/0518, same amount twice. I want the refund now."},
    ],
}
_EMAIL: dict[str, Any] = {
    "id": "em-20240603-0042",
    "customer": {"email": "maria.rossi@example.com"},
    "channel": "email",
    "timestamp": "2024-06-03T17:40:00Z",
    "subject": "Double charge on my May bill",
    "body": "Hello, my card was charged twice for the May bill. Please refund the second payment. Regards, Maria",
}
_REVIEW: dict[str, Any] = {
    "id": "rv-20240612-0007",
    "customer": {"social_handle": "@mrossi"},
    "channel": "review",
    "timestamp": "2024-06-12T08:00:00Z",
    "body": "Two weeks waiting for a refund of a double charge. Still nothing.",
    "rating": 1,
}

CONTACTS = {
    "whatsapp": {"summary": "A WhatsApp conversation (turns)", "value": _WHATSAPP},
    "email": {"summary": "An email (subject and body)", "value": _EMAIL},
    "review": {"summary": "A public review with a rating", "value": _REVIEW},
}
BATCHES = {"journey": {"summary": "One customer's contacts across channels, in time order",
                       "value": {"contacts": [_EMAIL, _WHATSAPP]}}}
MERGE = {"confirmed": {"summary": "An agent confirmed a candidate merge by calling the customer back",
                       "value": {"keep": "cust-4f1c2a9e0b7d", "absorb": "cust-9d03b6e1c2aa",
                                 "reason": "agent-117: same person, confirmed by callback"}}}
FEEDBACK = {"correction": {"summary": "An agent corrects the claim and the complexity",
                           "value": {"contact_id": "wa-20240611-0001", "claim": "billing_double_charge",
                                     "complexity": "high", "agent": "agent-117",
                                     "note": "second contact on the same charge"}}}
