"""Channel-aware normalisation: from a Contact to the customer's own words, PII-redacted, for the models.

Per channel (see `data.email_cleanup` and `data.channel_text` for the rules themselves):
- email: the new message only (no quoted thread, forwarded headers, signature, disclaimer); text is "subject. body".
- phone: customer turns with fillers, ASR noise tags and stutters removed.
- chat, whatsapp, sms, messaging: customer bursts joined into one text; emojis stay in the text and are listed.
- social: links become [URL], @handles become @user, hashtags keep their word, repeated letters are shortened.
- review: title and body; the rating is a field and is *not* written into the text, so that the text models learn
  from the customer's words and the rating stays a separate, exact signal.
- web_form: subject and message; identity field lines ("Nome: [PERSON]", "Telefono: [PHONE]") are redacted and then
  left out of `text` (they say who, not what) but kept in `transcript`.
Everywhere: a subject, when present, leads `text`; transcribed voice notes count as customer words (image OCR does
not: a screenshot is not what the customer said); a name introduced in one message ("mi chiamo Mario Rossi") and the
customer's display name are redacted in every other piece too, and so is a name sent as its own message right after
a sign-off ("Grazie" / "Giulia Bianchi"); every piece is redacted once, so `redactions` counts
each PII occurrence once even though it may appear in `text`, `customer_turns` and `transcript`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from claimtriage.data.channel_text import clean_social, clean_speech, emojis_in, flatten, form_message, join_sentences
from claimtriage.data.channel_text import shorten_repeats
from claimtriage.data.email_cleanup import clean_email_body, clean_subject
from claimtriage.data.language import detect_language
from claimtriage.data.person_names import find_person_spans
from claimtriage.data.redact import redact
from claimtriage.data.schema import AttachmentKind, Channel, Contact, Speaker

_MESSAGING = frozenset({Channel.chat, Channel.whatsapp, Channel.sms, Channel.messaging})


class NormalisedContact(BaseModel):
    """What the models and the agent hand-off read of one contact: the customer's words, redacted."""

    model_config = ConfigDict(frozen=True)

    id: str
    channel: Channel
    language: str
    #: 1.0 when the contact carried its language; lingua's confidence when detected; 0.0 for too-short text
    language_confidence: float = Field(ge=0.0, le=1.0)
    #: what the models read: subject first when there is one, then the customer's words, on one line
    text: str
    subject: str | None = None
    customer_turns: list[str] = Field(default_factory=list)
    #: every turn as "speaker: text", one per line, for the agent hand-off summary
    transcript: str = ""
    rating: float | None = None
    emojis: list[str] = Field(default_factory=list)
    n_customer_turns: int = 0
    #: PII spans replaced, by type ("PHONE": 2)
    redactions: dict[str, int] = Field(default_factory=dict)
    attachment_kinds: list[str] = Field(default_factory=list)


def _clean_piece(channel: Channel, text: str) -> str:
    """The channel's own clean-up of one turn or body, before redaction."""
    if channel is Channel.phone:
        return clean_speech(text)
    if channel is Channel.social:
        return clean_social(text)
    if channel in _MESSAGING:
        return shorten_repeats(text)
    if channel is Channel.email:
        return clean_email_body(text)
    return text.strip()


class _Redactor:
    """Redacts pieces one at a time, with the contact's known names, and keeps the running counts."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names
        self.counts: Counter[str] = Counter()

    def __call__(self, text: str) -> str:
        result = redact(text, names=self.names)
        self.counts.update(result.counts)
        return result.text


@dataclass(frozen=True)
class _Cleaned:
    """A contact's pieces after the channel clean-up, before redaction."""

    subject: str
    turns: list[tuple[Speaker, str]]
    body: str
    voice_notes: list[str]

    def texts(self) -> list[str]:
        return [self.subject, self.body, *(text for _, text in self.turns), *self.voice_notes]


def _clean(contact: Contact) -> _Cleaned:
    return _Cleaned(
        subject=clean_subject(contact.subject),
        turns=[(turn.speaker, _clean_piece(contact.channel, turn.text)) for turn in contact.turns or []],
        body=_clean_piece(contact.channel, contact.body) if contact.body else "",
        voice_notes=[
            clean_speech(attachment.transcript)
            for attachment in contact.attachments
            if attachment.kind is AttachmentKind.voice_note and attachment.transcript
        ],
    )


def _same_speaker_runs(turns: list[tuple[Speaker, str]]) -> list[str]:
    """Consecutive turns of one speaker as one text, a line each: a sign-off sent as its own message ("Grazie") and
    the name in the next one ("Giulia Bianchi") read as the signed message they are."""
    runs: list[tuple[Speaker, list[str]]] = []
    for speaker, text in turns:
        if runs and runs[-1][0] is speaker:
            runs[-1][1].append(text)
        else:
            runs.append((speaker, [text]))
    return ["\n".join(texts) for _, texts in runs if len(texts) > 1]


def _known_names(contact: Contact, cleaned: _Cleaned) -> frozenset[str]:
    """Names introduced anywhere in the contact ("mi chiamo Mario Rossi"), so that "Rossi" goes everywhere else too."""
    names = {text[start:end] for text in cleaned.texts() for start, end in find_person_spans(text)}
    # across messages only a full name ("Grazie" / "Giulia Bianchi"): a lone capitalised word after a "Grazie"
    # message is as often a reply ("Perfetto") as a name
    names |= {name for text in _same_speaker_runs(cleaned.turns) for start, end in find_person_spans(text)
              if len((name := text[start:end]).split()) > 1}
    if contact.customer.name:
        names.add(contact.customer.name)
    return frozenset(names)


def _words_and_lines(contact: Contact, cleaned: _Cleaned, redactor: _Redactor) -> tuple[list[str], list[str]]:
    """The customer's redacted words (one entry per turn, body or voice note) and the transcript lines."""
    customer, lines = [], []
    for speaker, raw in cleaned.turns:
        text = flatten(redactor(raw))
        if not text:
            continue  # a turn that was only "ehm" or "[inaudible]"
        lines.append(f"{speaker.value}: {text}")
        if speaker is Speaker.customer:
            customer.append(text)
    if cleaned.body:
        redacted = redactor(cleaned.body)
        words = flatten(form_message(redacted) if contact.channel is Channel.web_form else redacted)
        customer += [words] if words else []
        lines += [f"{Speaker.customer.value}: {flatten(redacted)}"] if flatten(redacted) else []
    for note in cleaned.voice_notes:
        text = flatten(redactor(note))
        if text:
            customer.append(text)
            lines.append(f"{Speaker.customer.value} (voice note): {text}")
    return customer, lines


def normalise(contact: Contact, *, default_language: str = "en") -> NormalisedContact:
    """The contact's customer words, cleaned for its channel and PII-redacted, with language and signals."""
    cleaned = _clean(contact)
    redactor = _Redactor(_known_names(contact, cleaned))
    subject = flatten(redactor(cleaned.subject)) or None
    customer, lines = _words_and_lines(contact, cleaned, redactor)
    if subject:
        lines.insert(0, f"subject: {subject}")

    text = join_sentences([subject or "", *customer])
    if not text:
        # cleaning left nothing (an email that was all signature): the redacted raw words beat an empty input
        raw = [contact.body or "", *(t.text for t in contact.turns or [] if t.speaker is Speaker.customer)]
        text = flatten(redactor(join_sentences(raw)))

    if contact.language:
        language, confidence = contact.language, 1.0
    else:
        language, confidence = detect_language(text, default=default_language)

    return NormalisedContact(
        id=contact.id,
        channel=contact.channel,
        language=language,
        language_confidence=confidence,
        text=text,
        subject=subject,
        customer_turns=customer,
        transcript="\n".join(lines),
        rating=contact.rating,
        emojis=emojis_in(text),
        n_customer_turns=len(customer),
        redactions=dict(redactor.counts),
        attachment_kinds=[attachment.kind.value for attachment in contact.attachments],
    )
