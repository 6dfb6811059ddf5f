"""Offline language detection."""

from __future__ import annotations

import pytest

from claimtriage.data.language import detect_language

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Buongiorno, la bolletta di marzo è sbagliata e vorrei un rimborso", "it"),
        ("bolletta sbagliata, ancora nessuna risposta", "it"),
        ("Il mio [EMAIL] non funziona, chiamatemi al [PHONE] grazie", "it"),
        ("Hello, my internet has been down for three days and nobody answers", "en"),
        ("My name is [PERSON], please call me back at [PHONE]", "en"),
        ("Hola, mi factura de este mes es incorrecta", "es"),
        ("Bonjour, ma facture de ce mois est fausse", "fr"),
        ("Guten Tag, meine Rechnung ist falsch", "de"),
        ("Olá, a minha fatura deste mês está errada", "pt"),
    ],
)
def test_detects_language(text: str, expected: str) -> None:
    language, confidence = detect_language(text)
    assert language == expected
    assert 0.3 < confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "ok", "grazie", "👍", "[EMAIL] [PHONE] [PERSON]", "@user 12345"])
def test_short_or_empty_text_gets_the_default_with_no_confidence(text: str) -> None:
    assert detect_language(text) == ("en", 0.0)
    assert detect_language(text, default="it") == ("it", 0.0)


def test_placeholders_do_not_change_the_answer() -> None:
    plain, _ = detect_language("la bolletta di marzo è sbagliata, chiamatemi")
    text = "[PERSON] [EMAIL] la bolletta di marzo è sbagliata, chiamatemi [PHONE] [URL]"
    with_placeholders, _ = detect_language(text)
    assert plain == with_placeholders == "it"
