"""IBM Twitter customer-care conversations (25 brands) as multi-turn social threads.

Splits: `validation` (dev.json, 525 conversations) and `test` (test.json, 500); train.json is not in the store.
Turns are the conversation before the agent's resolving tweet: `client`/`client1` (users) speak as customer, `agent`
as agent. The resolving tweet itself is NOT a turn (its URL is the label); its URL is kept in metadata["doc_url"].
customer.social_handle is the user that tweet answers (else the last user who spoke), as `@handle`.

labels.claim is the id of the support document the agent sent (`agentURL.doc_id` without leading zeros, the key of
docID_url.tsv). signals: company, and escalation = 1.0 when that document is a contact / ticket / phone-numbers page
(`ESCALATION_URL` on the URL: the agent sent the customer to people rather than to an answer), else 0.0.
thread_id and id (`ibm-<sessionID>`) come from the session id; timestamps from the tweets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from claimtriage.data.adapters._common import LoadedContacts, canonical_split, collect
from claimtriage.data.schema import Channel, Contact, CustomerIdentifiers, Labels, Speaker, Turn

NAME = "ibm_twitter_customer_care"
SPLITS = ("validation", "test")
FILES = {"validation": "dev.json", "test": "test.json"}
MARKERS = ("company_docIDs.tsv", "docID_url.tsv")

#: URLs that hand the customer over to people: contact pages, new-ticket forms, phone-number lists
ESCALATION_URL = re.compile(
    r"/contact(?:-?us|-hp|\.html|/?\?|/?$)|/requests/new|phone-numbers", re.IGNORECASE
)
_ARCHIVE_PREFIX = re.compile(r"^https?://web\.archive\.org/web/\d+/")
_MENTION = re.compile(r"@(\w+)")


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _turn(message: dict[str, Any]) -> tuple[Turn, str | None]:
    """The turn and, for a user, their handle."""
    speaker = Speaker.agent if "agent" in message else Speaker.customer
    handle = None if speaker is Speaker.agent else next((message[k] for k in message if k.startswith("client")), None)
    return Turn(speaker=speaker, text=message["message"], time=_time(message["datetime"])), handle


def _contact(conversation: dict[str, Any], split: str) -> Contact:
    header, answer = conversation["dialogHeader"], conversation["agentURL"]
    turns, handles = [], []
    for message in conversation["dialogContent"]:
        if not message.get("message", "").strip():
            continue
        turn, handle = _turn(message)
        turns.append(turn)
        if handle:
            handles.append(handle)
    answered = _MENTION.findall(answer.get("url_utterance", ""))
    handle = next((h for h in answered if h in handles), handles[-1] if handles else None)
    url = _ARCHIVE_PREFIX.sub("", answer["url"])
    doc_id = answer["doc_id"].lstrip("0") or "0"
    return Contact(
        id=f"ibm-{header['sessionID']}",
        customer=CustomerIdentifiers(social_handle=f"@{handle}" if handle else None),
        channel=Channel.social,
        timestamp=_time(header["conversationDateTime"]),
        language="en",
        turns=turns,
        thread_id=header["sessionID"],
        labels=Labels(
            claim=doc_id,
            signals={"company": header["company"], "escalation": 1.0 if ESCALATION_URL.search(url) else 0.0},
        ),
        metadata={"source": NAME, "split": split, "company": header["company"], "doc_url": url,
                  "answer_tweet_id": str(answer.get("tweet_ID", ""))},
    )


def _contacts(root: Path, splits: tuple[str, ...]) -> Iterator[Contact]:
    for split in splits:
        path = root / FILES[split]
        if not path.is_file():
            raise FileNotFoundError(f"{root}: no {FILES[split]} for the {split} split")
        for conversation in json.loads(path.read_text(encoding="utf-8")):
            yield _contact(conversation, split)


def load(root: Path, split: str | None = None, limit: int | None = None) -> LoadedContacts:
    """IBM Twitter conversations under `root`: split "validation" (dev), "test" or None for both."""
    wanted = canonical_split(NAME, split, SPLITS)
    splits = (wanted,) if wanted else tuple(s for s in SPLITS if (root / FILES[s]).is_file())
    if not splits:
        raise FileNotFoundError(f"{root}: neither dev.json nor test.json")
    return collect(_contacts(root, splits), source=NAME, split=wanted, limit=limit)
