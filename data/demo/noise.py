"""Surface noise that real customer text has and clean templates lack.

Typos (swapped, dropped, doubled letters), lost accents and capitals on phones, ASR fillers and repetitions in call
transcripts, emojis on messaging and social, and code-switching (Italians using English words, English speakers
using Italian ones). Identifiers (numbers, emails, IBANs, codes) are never touched: noise changes how people
write, not who they are.
"""

from __future__ import annotations

import random
import re

EMOJI = {"angry": ("😡", "🤬", "😤", "👎", "💩"), "frustrated": ("😩", "🙄", "😒", "😔", "🤦"),
         "calm": ("🙏", "🙂", ""), "thankful": ("😊", "🙏", "👍", "❤️", "💪")}
FILLERS = {"it": ("ehm", "allora", "cioè", "praticamente", "niente", "diciamo", "guardi", "eh"),
           "en": ("uh", "um", "so", "like", "you know", "well", "erm")}
#: Italian words Italians replace with English ones, and the other way round
CODE_SWITCH = {
    "it": (("assistenza clienti", "customer care"), ("aggiornamento", "upgrade"), ("la pratica", "il ticket"),
           ("numero di pratica", "numero di ticket"), ("riavviare", "resettare"), ("riavviato", "resettato"),
           ("la connessione", "la connection"), ("velocità", "speed"), ("accedere", "fare login"),
           ("per favore", "please"), ("il prima possibile", "asap"), ("controllato", "checkato"),
           ("consegna", "delivery"), ("offerta", "offer"), ("scusate", "sorry")),
    "en": (("bill", "bolletta"), ("invoice", "fattura"), ("contract", "contratto"), ("technician", "tecnico"),
           ("thanks", "grazie"), ("Thank you", "Grazie mille"), ("Hello", "Buongiorno"), ("Hi", "Ciao"),
           ("refund", "rimborso"), ("customer code", "codice cliente"), ("cancellation", "disdetta"),
           ("meter", "contatore")),
}
_ACCENTS = str.maketrans({"à": "a'", "è": "e'", "é": "e'", "ì": "i'", "ò": "o'", "ù": "u'"})
_PROTECTED = re.compile(r"\S*\d\S*|\S+@\S+|[A-Z]{2,}\S*")  # numbers, emails, codes, shouted words


def _typo_word(rng: random.Random, word: str) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randint(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind < 0.75:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def typos(rng: random.Random, text: str, rate: float) -> str:
    """Misspell about `rate` of the plain words; identifiers are left alone."""
    if rate <= 0:
        return text
    out = []
    for token in re.split(r"(\s+)", text):
        if token.strip() and not _PROTECTED.fullmatch(token) and rng.random() < rate:
            core = token.rstrip(".,!?;:")
            token = _typo_word(rng, core) + token[len(core):]
        out.append(token)
    return "".join(out)


def phone_style(rng: random.Random, text: str, lang: str) -> str:
    """How people type on a phone: no capitals, sometimes no accents (perche', e'), fewer full stops."""
    if rng.random() < 0.5 and not text[:2].isupper():
        text = text[:1].lower() + text[1:]
    if lang == "it" and rng.random() < 0.4:
        text = text.translate(_ACCENTS)
    if rng.random() < 0.3:
        text = text.replace(". ", " ").rstrip(".")
    return text


def shout(rng: random.Random, text: str) -> str:
    """Angry writing: a few words in capitals and stacked punctuation."""
    words = text.split(" ")
    for i in range(len(words)):
        if len(words[i]) > 3 and words[i].isalpha() and rng.random() < 0.15:
            words[i] = words[i].upper()
    text = " ".join(words)
    return re.sub(r"([!?])(\s|$)", lambda m: m.group(1) * rng.randint(2, 4) + m.group(2), text, count=2)


def add_fillers(rng: random.Random, text: str, lang: str, rate: float = 0.12) -> str:
    """ASR-like speech: fillers, repeated words, no final punctuation, lower case."""
    words, out = text.split(), []
    for word in words:
        roll = rng.random()
        if roll < rate:
            out.append(rng.choice(FILLERS[lang]))
        elif roll < rate * 1.5 and word.isalpha():
            out.append(word.lower())  # a stutter: the word said twice
        out.append(word)
    spoken = " ".join(out)
    spoken = spoken[:1].lower() + spoken[1:]
    return spoken.rstrip(".") if rng.random() < 0.6 else spoken


def code_switch(rng: random.Random, text: str, lang: str, rate: float = 0.6) -> str:
    """Swap some words for the other language's, as bilingual customers do."""
    for source, target in CODE_SWITCH[lang]:
        pattern = rf"\b{re.escape(source)}\b"  # whole words: "pratica" but not "praticamente"
        if re.search(pattern, text) and rng.random() < rate:
            text = re.sub(pattern, target, text, count=1)
    return text


def emojis(rng: random.Random, text: str, tone: str) -> str:
    """Append (sometimes repeat) an emoji that fits the tone."""
    pick = rng.choice(EMOJI[tone])
    if not pick:
        return text
    return f"{text} {pick * rng.choice((1, 1, 2, 3))}"
