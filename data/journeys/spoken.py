"""Identifiers as a caller dictates them, read back as they are written.

A call transcript (speech recognition) writes what the caller said: "o elle due zero quattro otto uno uno sette",
"oh el seven two nine zero three five one", "tre quattro sette, uno due tre, ...". The customer-code pattern of the
deployment and the phone-number matcher read written digits, so `identity.written_keys` also reads the dictated
variant of each text that `dictated` makes:

- number words become digits (`text_to_num.alpha2digit`, Italian then English): "quattro uno" -> "4 1";
- a run of digit groups separated by spaces (or a comma and a space) becomes one number, with the words speech
  recognition writes for a digit between two digits ("seven to nine" -> 729; "for" -> 4);
- an email address said or hidden from spam bots becomes one ("mario punto rossi chiocciola gmail punto com",
  "mario dot rossi at gmail dot com", "mario.rossi [at] gmail [dot] com"), when it ends in a common top-level domain
  (after a bare English "at", only with its dots said too: "details at acme.it" is a website);
- up to three letters spelled just before such a run join it as the code's letters: Italian or English letter
  names ("o elle", "oh el", "acca"), or capitals ("A T"). Words that are also a letter's name and far more often a
  word ("e", "di", "you") stay words unless a plainer letter name is spelled with them ("o elle").

The variant is only searched for identifiers: it is never stored, shown or sent anywhere.
"""

from __future__ import annotations

import re
from functools import lru_cache

LETTER_NAMES = {
    # Italian
    "a": "A", "bi": "B", "ci": "C", "di": "D", "e": "E", "effe": "F", "gi": "G", "acca": "H", "i": "I",
    "elle": "L", "emme": "M", "enne": "N", "o": "O", "pi": "P", "cu": "Q", "erre": "R", "esse": "S", "ti": "T",
    "u": "U", "vu": "V", "ics": "X", "ipsilon": "Y", "zeta": "Z",
    # English
    "ay": "A", "bee": "B", "see": "C", "cee": "C", "dee": "D", "ee": "E", "ef": "F", "eff": "F", "gee": "G",
    "aitch": "H", "eye": "I", "jay": "J", "kay": "K", "el": "L", "ell": "L", "em": "M", "en": "N", "oh": "O",
    "pee": "P", "cue": "Q", "ar": "R", "ess": "S", "tee": "T", "you": "U", "vee": "V", "ex": "X", "why": "Y",
    "zed": "Z", "zee": "Z",
}
#: what speech recognition writes for a digit said between two others ("seven to nine")
DIGIT_HOMOPHONES = {"to": "2", "too": "2", "for": "4"}
#: words that are also a letter's name but, alone before a number, are far more often a word
_WORD_FIRST = {"a", "e", "i", "o", "u", "di", "ci", "ti", "bi", "ay", "see", "you", "why", "en", "ex", "em"}

_GROUP = r"\d+"
_SEP = r"(?:,\s+|\s+)"  # not "412,60" (a decimal) nor "2025-0183342" (written with its hyphen)
_RUN = re.compile(rf"{_GROUP}(?:{_SEP}(?:(?:{'|'.join(DIGIT_HOMOPHONES)}){_SEP})?{_GROUP})*", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\s+$")

_DOT_WORDS = r"punto|dot"
_JOIN_WORDS = rf"{_DOT_WORDS}|underscore|trattino\s+basso|trattino|dash|hyphen"
_DOT = rf"(?:\s+(?:{_DOT_WORDS})\s+|\s*[\[(]\s*(?:{_DOT_WORDS})\s*[\])]\s*|\.)"
_AT = r"(?:\s+(?:chiocciola|at)\s+|\s*[\[(]\s*(?:at|chiocciola)\s*[\])]\s*|@)"
_JOIN = rf"(?:\s+(?:{_JOIN_WORDS})\s+|[._\-])"
_TLD = r"(?:com|it|net|org|eu|info|co\.uk|uk|de|fr|es|ch|me|io)"
_SPOKEN_EMAIL = re.compile(
    rf"\b(?P<local>[a-z0-9]+(?:{_JOIN}[a-z0-9]+)*){_AT}(?P<domain>[a-z0-9\-]+(?:{_DOT}[a-z0-9\-]+)*?){_DOT}"
    rf"(?P<tld>{_TLD})\b", re.IGNORECASE)
_JOINERS = {"underscore": "_", "trattino basso": "_", "trattino": "-", "dash": "-", "hyphen": "-"}


@lru_cache(maxsize=1)
def _alpha2digit():
    from text_to_num import alpha2digit  # imported on first use: the model's code never needs it

    return alpha2digit


def dictated(text: str) -> str:
    """`text` with dictated numbers and spelled letters written as an identifier would be (see the module)."""
    if not re.search(r"[A-Za-z]", text):
        return text
    convert = _alpha2digit()
    digits = convert(convert(text, "it"), "en")
    out, end = [], 0
    for match in _RUN.finditer(digits):
        number = "".join(DIGIT_HOMOPHONES.get(tok.lower(), tok) for tok in re.findall(r"\d+|[A-Za-z]+", match.group()))
        start, letters = match.start(), []
        while len(letters) < 3 and (word := _WORD_BEFORE.search(digits, end, start)):
            letter = _letter(word.group(1))
            if letter is None:
                break
            letters.insert(0, (letter, word.group(1)))
            start = word.start()
        # words that are also letters' names ("e di 1 2 3": and of 123) stay words
        if all(word in _WORD_FIRST for _, word in letters):
            letters, start = [], match.start()
        out += [digits[end:start], "".join(letter for letter, _ in letters), number]
        end = match.end()
    out.append(digits[end:])
    return _SPOKEN_EMAIL.sub(_email, "".join(out))


def _email(match: re.Match) -> str:
    """A said or hidden address, written: only where it was not written as an address already."""
    said = match.group(0)
    if "@" in said and not re.search(r"\s|\[|\(", said):
        return said
    # English "at" is a word before any place: "details at acme.it" is a website, "john at acme dot it" an address
    if re.search(r"\sat\s", said, re.IGNORECASE) and not re.search(rf"\s(?:{_DOT_WORDS})\s", said, re.IGNORECASE):
        return said

    def written(part: str, separators: str) -> str:
        part = re.sub(rf"\s*[\[(]\s*(?:{_DOT_WORDS})\s*[\])]\s*", ".", part, flags=re.IGNORECASE)
        part = re.sub(rf"\s+({separators})\s+", lambda m: _JOINERS.get(m.group(1).lower(), "."), part,
                      flags=re.IGNORECASE)
        return part

    local = written(match.group("local"), _JOIN_WORDS)
    domain = written(match.group("domain"), _DOT_WORDS)
    return f"{local}@{domain}.{match.group('tld')}".lower()


def _letter(word: str) -> str | None:
    if len(word) == 1 and word.isupper():
        return word
    return LETTER_NAMES.get(word.lower())
