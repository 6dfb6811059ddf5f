"""Identifiers as a caller dictates them, read back as they are written.

A call transcript (speech recognition) writes what the caller said: "o elle due zero quattro otto uno uno sette",
"oh el seven two nine zero three five one", "tre quattro sette, uno due tre, ...". The customer-code pattern of the
deployment and the phone-number matcher read written digits, so `identity.written_keys` also reads the dictated
variant of each text that `dictated` makes:

- number words become digits (`text_to_num.alpha2digit`, Italian then English): "quattro uno" -> "4 1";
- a run of digit groups separated by spaces (or a comma and a space) becomes one number, with the words speech
  recognition writes for a digit between two digits ("seven to nine" -> 729; "for" -> 4);
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
    return "".join(out)


def _letter(word: str) -> str | None:
    if len(word) == 1 and word.isupper():
        return word
    return LETTER_NAMES.get(word.lower())
