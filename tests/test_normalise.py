"""Channel-aware normalisation, Italian and English, on every channel."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from claimtriage.data.normalise import NormalisedContact, normalise
from claimtriage.data.schema import Attachment, Contact, Turn

pytestmark = pytest.mark.unit

NOW = datetime(2024, 3, 12, 10, 30, tzinfo=timezone.utc)

EMAIL_IT = """Buongiorno,
la bolletta di marzo è doppia rispetto al solito. Il mio numero è 333 1234567.

Cordiali saluti,
Mario Rossi
Responsabile Acquisti
Tel. 02 1234 5678

Inviato da iPhone

Questo messaggio e i suoi allegati sono confidenziali e destinati esclusivamente al destinatario.

Il giorno lun 4 mar 2024 alle ore 10:00 Servizio Clienti <assistenza@enel.it> ha scritto:
> Gentile cliente, la sua richiesta è stata chiusa.
> Saluti"""

EMAIL_EN = """Hi,

My router still doesn't work after your technician visit. Please call me on +44 20 7946 0958.

Kind regards,
John Smith
Senior Buyer
--
Sent from my iPhone

This email and any attachments are confidential and intended solely for the addressee.

On Mon, 4 Mar 2024 at 10:00, Support <support@acme.com> wrote:
> Dear customer, your ticket is closed."""

EMAIL_IT_FORWARD = """Vi giro la mia segnalazione, ancora nessuna risposta!

Da: Mario Rossi <mario@x.it>
Inviato: lunedì 3 marzo 2024 10:00
A: assistenza@enel.it
Oggetto: Bolletta errata

La bolletta è sbagliata."""

EMAIL_EN_FORWARD_ONLY = """

---------- Forwarded message ---------
From: John Smith <john@x.com>
Date: Mon, 3 Mar 2024
Subject: Broken router
To: <support@acme.com>

The router is broken again and I want a refund.
"""


def _contact(channel: str, **fields: object) -> Contact:
    return Contact(id=f"{channel}-1", channel=channel, timestamp=NOW, **fields)


def _turns(*pairs: tuple[str, str]) -> list[Turn]:
    return [Turn(speaker=speaker, text=text) for speaker, text in pairs]


@pytest.mark.parametrize(
    ("body", "subject", "kept", "dropped", "language"),
    [
        (
            EMAIL_IT, "R: Re: Bolletta errata",
            ["Bolletta errata. Buongiorno,", "doppia rispetto al solito", "[PHONE]", "Cordiali saluti"],
            ["Mario Rossi", "Responsabile", "1234 5678", "iPhone", "confidenziali", "ha scritto", "chiusa", "R:"],
            "it",
        ),
        (
            EMAIL_EN, "Fwd: RE: Broken router",
            ["Broken router. Hi,", "technician visit", "[PHONE]", "Kind regards"],
            ["John Smith", "Senior Buyer", "iPhone", "confidential", "wrote", "ticket is closed", "RE:", "Fwd:"],
            "en",
        ),
        (
            EMAIL_IT_FORWARD, "I: Bolletta errata",
            ["ancora nessuna risposta"],
            ["Inviato:", "Oggetto:", "mario@x.it", "La bolletta è sbagliata"],
            "it",
        ),
        (
            EMAIL_EN_FORWARD_ONLY, "Fw: Broken router",
            ["The router is broken again and I want a refund"],
            ["Forwarded", "From:", "Subject:", "john@x.com", "John Smith"],
            "en",
        ),
    ],
)
def test_email_keeps_only_the_new_message(
    body: str, subject: str, kept: list[str], dropped: list[str], language: str
) -> None:
    result = normalise(_contact("email", body=body, subject=subject))
    for piece in kept:
        assert piece in result.text
    for piece in dropped:
        assert piece not in result.text
        assert piece not in result.transcript
    assert result.subject is not None and ":" not in result.subject
    assert result.language == language
    assert result.language_confidence > 0.3
    assert "\n" not in result.text


@pytest.mark.parametrize(
    ("turns", "expected", "absent", "n_customer_turns"),
    [
        (
            _turns(
                ("agent", "Buongiorno, sono Giulia di Enel, come posso aiutarla?"),
                ("customer", "ehm, sì, cioè, il il contatore ehh non [incomprensibile] funziona da uhm tre giorni"),
                ("agent", "Mi può dare il suo numero?"),
                ("customer", "sì, è 333 1234567 <unk>"),
                ("customer", "ehm"),
            ),
            "sì, il contatore non funziona da tre giorni. sì, è [PHONE]",
            ["ehm", "ehh", "uhm", "il il", "[incomprensibile]", "<unk>", "333"],
            2,
        ),
        (
            _turns(
                ("agent", "Thank you for calling, this is Sarah from Acme, how can I help?"),
                ("customer", "um, I I think the the bill is, uh, wrong [inaudible] and no no no, I did not order that"),
                ("agent", "I see, let me check."),
            ),
            "I think the bill is, wrong and no no no, I did not order that",
            ["um", "uh", "I I", "the the", "[inaudible]"],
            1,
        ),
    ],
)
def test_phone_keeps_the_customers_words_without_fillers(
    turns: list[Turn], expected: str, absent: list[str], n_customer_turns: int
) -> None:
    result = normalise(_contact("phone", turns=turns))
    assert result.text == expected
    for piece in absent:
        assert piece not in result.text
    assert result.n_customer_turns == n_customer_turns
    assert "agent:" in result.transcript and "customer:" in result.transcript
    assert "Giulia" not in result.transcript and "Sarah" not in result.transcript  # names in agent turns too


@pytest.mark.parametrize(
    ("channel", "turns", "expected_text", "expected_emojis", "language"),
    [
        (
            "chat",
            _turns(
                ("bot", "Ciao! Come posso aiutarti?"),
                ("customer", "ciao"),
                ("customer", "la bolletta è sbagliataaaaa 😡😡"),
                ("customer", "mi chiamo Mario Rossi e voglio un rimborso"),
            ),
            "ciao. la bolletta è sbagliataa 😡😡 mi chiamo [PERSON] e voglio un rimborso",
            ["😡", "😡"],
            "it",
        ),
        (
            "sms",
            _turns(
                ("customer", "my parcel never arrived 😤"), ("customer", "order #A12345"), ("customer", "pls help 🙏")
            ),
            "my parcel never arrived 😤 order #A12345. pls help 🙏",
            ["😤", "🙏"],
            "en",
        ),
    ],
)
def test_messaging_merges_bursts_and_keeps_emojis(
    channel: str, turns: list[Turn], expected_text: str, expected_emojis: list[str], language: str
) -> None:
    result = normalise(_contact(channel, turns=turns))
    assert result.text == expected_text
    assert result.emojis == expected_emojis
    assert result.language == language
    assert result.redactions.get("PERSON", 0) == expected_text.count("[PERSON]")


@pytest.mark.parametrize(
    ("turns", "transcript", "expected", "language"),
    [
        (
            _turns(("customer", "buongiorno, vi mando un vocale")),
            "ehm la fibra non va da tre giorni, richiamatemi al 333 1234567",
            "buongiorno, vi mando un vocale. la fibra non va da tre giorni, richiamatemi al [PHONE]",
            "it",
        ),
        (
            _turns(("customer", "hi, voice note attached 🎤")),
            "uh my fibre has been down for three days, call me on 07911 123456",
            "hi, voice note attached 🎤 my fibre has been down for three days, call me on [PHONE]",
            "en",
        ),
    ],
)
def test_whatsapp_voice_notes_count_as_customer_words(
    turns: list[Turn], transcript: str, expected: str, language: str
) -> None:
    attachments = [
        Attachment(kind="voice_note", name="nota.ogg", transcript=transcript),
        Attachment(kind="image", name="bolletta.jpg", transcript="Mario Rossi Via Roma 1 totale 120,50"),
    ]
    result = normalise(_contact("whatsapp", turns=turns, attachments=attachments))
    assert result.text == expected
    assert result.n_customer_turns == 2
    assert result.attachment_kinds == ["voice_note", "image"]
    assert "voice note" in result.transcript
    assert "Mario Rossi" not in result.text + result.transcript  # the image OCR is not the customer's words
    assert result.redactions == {"PHONE": 1}
    assert result.language == language


@pytest.mark.parametrize(
    ("body", "expected", "language"),
    [
        (
            "@TIM_Official noooo ancora senza linea!!!!! #disservizio https://t.co/abc123 @mario_rossi",
            "@user noo ancora senza linea!!! disservizio [URL] @user",
            "it",
        ),
        (
            "@AcmeSupport my order never arrived, sooooo angry #fail www.acme.com/orders/123 cc @john_smith",
            "@user my order never arrived, soo angry fail [URL] cc @user",
            "en",
        ),
    ],
)
def test_social_normalises_handles_links_and_hashtags(body: str, expected: str, language: str) -> None:
    result = normalise(_contact("social", body=body))
    assert result.text == expected
    assert result.language == language


@pytest.mark.parametrize(
    ("body", "subject", "rating", "expected", "language"),
    [
        ("Servizio pessimo, nessuno risponde al telefono 😠", "Pessimo", 1, "Pessimo. Servizio pessimo, nessuno "
         "risponde al telefono 😠", "it"),
        ("Great support, my refund arrived in two days.", None, 5, "Great support, my refund arrived in two days.",
         "en"),
    ],
)
def test_review_keeps_rating_as_a_field(
    body: str, subject: str | None, rating: float, expected: str, language: str
) -> None:
    result = normalise(_contact("review", body=body, subject=subject, rating=rating))
    assert result.rating == rating
    assert result.text == expected
    assert str(rating) not in result.text  # the rating is a field, not text
    assert result.language == language


@pytest.mark.parametrize(
    ("body", "subject", "expected", "counts", "language"),
    [
        (
            "Nome: Mario Rossi\nTelefono: 333 1234567\nEmail: mario.rossi@gmail.com\n"
            "Messaggio: la bolletta di marzo è sbagliata, vorrei un rimborso",
            "Fatturazione",
            "Fatturazione. la bolletta di marzo è sbagliata, vorrei un rimborso",
            {"PERSON": 1, "PHONE": 1, "EMAIL": 1},
            "it",
        ),
        (
            "Name: John Smith\nPhone: +44 20 7946 0958\nAddress: 221B Baker Street, London NW1 6XE\n"
            "Message: I was charged twice for my subscription this month",
            "Billing",
            "Billing. I was charged twice for my subscription this month",
            {"PERSON": 1, "PHONE": 1, "ADDRESS": 1},
            "en",
        ),
    ],
)
def test_web_form_redacts_fields_and_keeps_the_message(
    body: str, subject: str, expected: str, counts: dict[str, int], language: str
) -> None:
    result = normalise(_contact("web_form", body=body, subject=subject))
    assert result.text == expected
    assert result.redactions == counts
    for placeholder in counts:
        assert f"[{placeholder}]" in result.transcript
    assert result.language == language


def test_pii_never_leaves_normalise() -> None:
    contact = _contact(
        "chat",
        subject="Rimborso per Mario Rossi",
        turns=_turns(
            ("customer", "mi chiamo Mario Rossi, IBAN IT60X0542811101000000123456"),
            ("agent", "Grazie Sig. Rossi, mi conferma l'email?"),
            ("customer", "mario.rossi@gmail.com, abito in Via Garibaldi 12, 20121 Milano"),
        ),
    )
    result = normalise(contact)
    everything = " ".join([result.text, result.subject or "", result.transcript, *result.customer_turns])
    for secret in ("Mario", "Rossi", "IT60X", "mario.rossi@", "Garibaldi"):
        assert secret not in everything
    # "Mario Rossi" is introduced once, by a cue; the subject and the agent's "Sig. Rossi" are redacted through it
    assert result.redactions == {"PERSON": 3, "IBAN": 1, "EMAIL": 1, "ADDRESS": 1}


def test_display_name_is_redacted_without_a_cue() -> None:
    contact = Contact(
        id="c", channel="email", timestamp=NOW, customer={"name": "Anna Verdi"},
        body="Please ask Verdi's colleague, Anna Verdi is away.",
    )
    result = normalise(contact)
    assert "Verdi" not in result.text and "Anna" not in result.text
    assert result.redactions == {"PERSON": 2}


def test_given_language_wins_and_short_text_gets_the_default() -> None:
    given = normalise(_contact("chat", language="it", turns=_turns(("customer", "my bill is wrong again"))))
    assert (given.language, given.language_confidence) == ("it", 1.0)
    short = normalise(_contact("chat", turns=_turns(("customer", "ok 👍"))), default_language="it")
    assert (short.language, short.language_confidence) == ("it", 0.0)


def test_result_is_a_frozen_model() -> None:
    result = normalise(_contact("review", body="ok", rating=3))
    assert isinstance(result, NormalisedContact)
    with pytest.raises(ValueError):
        result.text = "changed"  # type: ignore[misc]


def test_emoji_gate_lets_every_emoji_through_and_plain_text_skips_the_scan():
    import emoji

    from claimtriage.data.channel_text import _emoji_gate, emojis_in

    assert all(_emoji_gate().search(e) for e in emoji.EMOJI_DATA)  # no emoji is ever missed by the fast path
    assert emojis_in("perché è così, 123 #hashtag") == []
    assert emojis_in("ok 👍🏽 e 1️⃣ 🇮🇹") == ["👍🏽", "1️⃣", "🇮🇹"]
