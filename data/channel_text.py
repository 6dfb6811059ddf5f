"""Text clean-ups specific to a channel: speech-recognition noise, social-media markup, web-form field lines.

Choices worth knowing:
- Repeated words from a stutter ("il il") collapse to one, but emphatic repeats ("no no no", "molto molto",
  "very very") are kept: they carry sentiment.
- "cioè" is dropped only as a standalone filler (followed by a comma, an ellipsis or the end of the turn, or
  repeated); "cioè la bolletta..." keeps it, since there it means "that is".
- Hashtags keep their word without the "#" ("#disservizio" -> "disservizio"): the encoder reads the plain word.
- Letters repeated three times or more collapse to two ("noooo" -> "noo", keeping the emphasis), "!!!!!" to "!!!".
"""

from __future__ import annotations

import re
from functools import cache

import emoji

#: repeats that carry meaning rather than being a stutter
_EMPHATIC = frozenset("no sì si yes molto very really davvero mai never basta please ok grazie thanks".split())

# Web-form fields that say who the customer is, not what the claim is about; their lines leave the model text.
_IDENTITY_FIELDS = (
    r"nome e cognome|nome|cognome|first name|last name|full name|name|surname|telefono|cellulare|tel|phone|"
    r"mobile|e-?mail|indirizzo|address|cap|postcode|zip|città|city|provincia|codice fiscale|tax code|iban"
)
_MESSAGE_FIELDS = r"messaggio|message|descrizione|description|richiesta|request|testo|text|dettagli|details|motivo"


@cache
def _regexes() -> dict[str, re.Pattern[str]]:
    return {
        "noise": re.compile(
            r"\[(?:inaudible|incomprensibile|unintelligible|crosstalk|noise|rumore|silence|silenzio|music|musica|"
            r"laughter|risate|pause|pausa|unk)\]|<unk>|<noise>|<sil>|\((?:inaudible|incomprensibile)\)",
            re.I,
        ),
        "filler": re.compile(r"(?i)(?<![\w'])(?:e+h+m*|e+m{2,}|u+h+m*|u+m+|h?m{2,}|er+m*)(?![\w'])(?:,|\.\.\.|…)?"),
        "cioe": re.compile(r"(?i)(?<![\w'])cioè(?:[ \t]*,|[ \t]*(?:\.\.\.|…)|[ \t]*$|(?=[ \t]+cioè\b))"),
        "repeat": re.compile(r"(?i)\b([\wàèéìòù']+)(?:[ \t,]+\1\b)+"),
        "spaces": re.compile(r"[ \t]{2,}"),
        "space_before_punct": re.compile(r"[ \t]+([,.;:!?])"),
        "leading_punct": re.compile(r"^[\s,.;:…]+"),
        "double_comma": re.compile(r",(?:[ \t]*,)+"),
        "link": re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b(?:[a-z0-9-]+\.)+(?:com|it|net|org|eu|ly|co)/\S*"),
        "handle": re.compile(r"(?<![\w.@])@\w+"),
        "hashtag": re.compile(r"(?<![\w&])#(\w+)"),
        "letter_run": re.compile(r"([^\W\d_])\1{2,}"),
        "punct_run": re.compile(r"([!?.])\1{3,}"),
        "identity_line": re.compile(rf"(?im)^[ \t]*(?:{_IDENTITY_FIELDS})[ \t]*:.*$\n?"),
        "message_label": re.compile(rf"(?im)^[ \t]*(?:{_MESSAGE_FIELDS})[ \t]*:[ \t]*"),
    }


def _tidy(text: str) -> str:
    regexes = _regexes()
    text = regexes["double_comma"].sub(",", text)
    text = regexes["space_before_punct"].sub(r"\1", text)
    text = regexes["spaces"].sub(" ", text)
    return regexes["leading_punct"].sub("", text).strip().rstrip(",").rstrip()


def clean_speech(text: str) -> str:
    """A transcribed turn without fillers (ehm, uhm, um), ASR noise tags and stuttered repeats."""
    regexes = _regexes()
    text = regexes["noise"].sub(" ", text)
    text = regexes["filler"].sub(" ", text)
    text = regexes["cioe"].sub(" ", text)

    def collapse(match: re.Match[str]) -> str:
        return match.group() if match.group(1).lower() in _EMPHATIC else match.group(1)

    text = regexes["repeat"].sub(collapse, text)
    return _tidy(text)


def clean_social(text: str) -> str:
    """A post with links as [URL], @handles as @user, hashtags as plain words and repeated letters shortened."""
    regexes = _regexes()
    text = regexes["link"].sub("[URL]", text)
    text = regexes["handle"].sub("@user", text)
    text = regexes["hashtag"].sub(r"\1", text)
    return shorten_repeats(text)


def shorten_repeats(text: str) -> str:
    """Letters repeated 3+ times become 2 ("noooo" -> "noo"); runs of 4+ "!", "?" or "." become 3."""
    text = _regexes()["letter_run"].sub(r"\1\1", text)
    return _regexes()["punct_run"].sub(r"\1\1\1", text)


def form_message(text: str) -> str:
    """A web form's free text: identity field lines (Nome:, Telefono:, Email: ...) dropped, message labels removed."""
    text = _regexes()["identity_line"].sub("", text)
    text = _regexes()["message_label"].sub("", text)
    return text.strip()


@cache
def _emoji_gate() -> re.Pattern[str]:
    """A character every emoji sequence contains: its first code point, or the keycap mark of "1️⃣" (which starts
    with a plain digit). `emoji.emoji_list` walks the text in Python; most texts have no emoji and skip it."""
    firsts = {e[0] for e in emoji.EMOJI_DATA if not e[0].isascii()} | {"\u20e3"}
    return re.compile("[" + "".join(re.escape(c) for c in sorted(firsts)) + "]")


def emojis_in(text: str) -> list[str]:
    """The emojis in `text`, in order, repeats included."""
    if not _emoji_gate().search(text):
        return []
    return [item["emoji"] for item in emoji.emoji_list(text)]


def _ends_with_emoji(text: str) -> bool:
    tail = text[-12:]  # emoji sequences (flags, ZWJ families, skin tones) are a few code points long
    return bool(_emoji_gate().search(tail)) and any(item["match_end"] == len(tail) for item in emoji.emoji_list(tail))


def join_sentences(parts: list[str]) -> str:
    """Join message bursts into one text, adding ". " where a burst ends without punctuation or an emoji."""
    pieces = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if pieces and not (pieces[-1][-1] in ".!?…:;" or _ends_with_emoji(pieces[-1])):
            pieces[-1] += "."
        pieces.append(part)
    return " ".join(pieces)


def flatten(text: str) -> str:
    """One line: newlines and runs of spaces become single spaces."""
    return " ".join(text.split())
