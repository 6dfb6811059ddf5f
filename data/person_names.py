"""Person names found from the words around them, without an NLP model.

A name is only taken where a cue says one follows: a self-introduction ("mi chiamo", "my name is", "this is ... from"),
a title ("Sig.ra", "Dott.", "Mr"), a greeting ("Gentile", "Dear", "Ciao"), a form label ("Nome:", "Name:"), in an
agent's note a role word ("Customer Giulia Bianchi", "la cliente Giulia Bianchi") or a sign-off followed by a name,
in Italian or English: on the next line, after blank lines too ("Cordiali saluti,\\nMario Rossi", "Grazie in
anticipo,\\n\\nGiulia Bianchi"), after a sign-off that ends a line of text ("In attesa di un riscontro, cordiali
saluti.\\nMario Rossi") or on the same line when the name ends it ("Saluti, Anna", "Cordiali saluti Mario Rossi").
Capitalised words elsewhere are never taken, so brand names and sentence starts stay. `find_person_spans` is the
only entry point; `data.redact` calls it.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

# One capitalised name word: Rossi, D'Angelo, O'Brien, McDonald, Jean-Luc, Nicolò.
_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zà-öø-ÿ"
_CAP_WORD = rf"(?:[{_UPPER}]['’]|Mc|Mac)?[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
# Surname particles that may sit between capitalised words: Maria De Luca, Ludwig van Beethoven.
_PARTICLE = r"(?:de|di|da|del|della|dei|van|von|der|den|le|la|lo|De|Di|Da|Del|Della|Van|Von|Le|La|Lo)"
_CAP_NAME = rf"{_CAP_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_CAP_WORD}){{0,3}}"
# Any-case name for strong cues ("mi chiamo mario rossi", "Nome: mario rossi"); stopwords trim it afterwards.
_ANY_WORD = rf"[{_UPPER}{_LOWER}]['’{_UPPER}{_LOWER}-]*"
_ANY_NAME = rf"{_ANY_WORD}(?:[ \t]+{_ANY_WORD}){{0,3}}"

# Words that follow a cue but are not names: titles, generic addressees, brands, sentence starters, months and days.
_STOPWORDS = frozenset(
    """
    sig sigra signor signora signorina signori sigg dott dottssa dottore dottoressa avv ing prof mr mrs ms miss mx dr
    sir madam madame cliente clienti customer customers team staff servizio service assistenza support supporto
    ufficio office reparto department amministrazione tutti tutte all everyone there folks guys ragazzi
    amici friends
    responsabile manager direttore operatore operatrice agente agent
    tim vodafone wind windtre tre iliad fastweb enel eni iren hera acea edison sorgenia poste amazon apple samsung
    google microsoft netflix sky dazn paypal ikea zalando ryanair alitalia trenitalia italo unicredit intesa fineco
    postepay
    italiano italiana italian inglese english british american francese french tedesco german spagnolo spanish
    gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre
    january february march april may june july august september october november december
    lunedì martedì mercoledì giovedì venerdì sabato domenica monday tuesday wednesday thursday friday saturday sunday
    grazie thanks thank buongiorno buonasera salve ciao hello hi hey dear gentile caro cara
    il lo la le gli un una uno the a an my your our his her their this that questo questa quello quella
    io tu lui lei noi voi loro i you he she we they it me mi ti ci vi si sì yes no not non ok okay
    e ed o ma and or but per for con with da di del della in on at of to from by come how what che chi who
    ho ha hanno sono sei siamo è era am is are was were be been have has had do did does will would can could
    vorrei volevo voglio devo posso potete scrivo chiamo ti vi ancora still just very really so molto sempre mai
    sorry scusate scusi writing calling here qui qua not sure fine bene male good bad nuovo nuova new
    nome cognome name surname full please favore stato stata stati state mille again anyway comunque
    tanto
    buona buon giornata serata weekend care portal portale area premium business number numero codice code
    saluti saluto cordiali distinti cordialmente cari tanti ringrazio ringraziando arrivederci presto regards
    kind best warm wishes cheers sincerely yours faithfully truly
    perfetto perfetta ottimo ottima benissimo gentilissimi gentilissimo gentilissima certo esatto perfect great
    awesome
    """.split()
)

# Italian titles are often lowercase ("il signor Rossi"); English ones only count capitalised ("I miss John").
_TITLE = (
    r"(?:(?i:sig\.ra|sig\.na|sig\.|sigra|signora|signorina|signor|sig|dott\.ssa|dottoressa|dottor|dott\.|dott|avv\."
    r"|avv|ing\.|prof\.ssa|prof\.)|(?:Mrs|Mr|Ms|Miss|Mx|Dr|Prof)\.?)"
)
_SIGNOFF = (
    r"(?:cordiali saluti|distinti saluti|saluti cordiali|un cordiale saluto|cordialmente|grazie e saluti|"
    r"un (?:caro |cordiale )?saluto|cari saluti|saluti cari|tanti saluti|"
    r"grazie (?:mille|ancora|in anticipo|anticipatamente|per (?:l['’]|la |il )?(?:aiuto|attenzione|disponibilità|"
    r"collaborazione|pazienza))|grazie|saluti|(?:vi|ti|la) ringrazio(?: anticipatamente| in anticipo)?|"
    r"ringraziando(?: anticipatamente)?|in attesa di (?:un )?(?:vostro |cortese )?(?:riscontro|risposta)|"
    r"resto in attesa|arrivederci|"
    r"best regards|kind regards|warm regards|regards|best wishes|many thanks|all the best|"
    r"thanks (?:again|in advance|for (?:your|the) help)|thank you (?:again|in advance|for (?:your|the) help)|"
    r"thanks|thank you|cheers|sincerely|yours sincerely|yours faithfully|yours truly|a presto|ciao|buona giornata|"
    r"buona serata)"
)
# role words an agent writes before a customer's name in a note (`_role_pattern`)
_ROLE = r"(?:customer|client|caller|account holder|cliente|utente|intestatari[oa]|titolare|contraente|richiedente)"


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], bool], ...]:
    """(pattern, strong) pairs; each pattern's group `name` is the name. Compiled once, on first use."""
    before = r"(?<![\w@])"  # a handle (@mario) or the inside of a word is never a name
    weak = [
        # titles: "Sig.ra Bianchi", "Mr Smith", "il signor Rossi"
        rf"{before}{_TITLE}[ \t]*(?P<name>{_CAP_NAME})",
        # self-introductions that need a capitalised name: "sono Mario Rossi", "I'm John Smith", "le parla Giulia"
        rf"{before}(?i:sono|io sono|i'm|i am|(?:le|vi|ti) parla)[ \t]+(?P<name>{_CAP_NAME})",
        rf"{before}(?i:this is)[ \t]+(?P<name>{_CAP_NAME})(?=[ \t,]+(?i:from|speaking|calling|here|of)\b)",
        # greetings: "Gentile Mario Rossi", "Dear John Smith", "Ciao Marco" (space only: "Ciao,\nHo..." is no name)
        rf"{before}(?i:gentile|gentilissim[oa]|gent\.(?:mo|ma)|egregi[oa]|car[oa]|dear|ciao|buongiorno|buonasera"
        rf"|salve|hi|hello|hey|grazie|thanks|thank you)[ \t]+(?P<name>{_CAP_NAME})",
        # the agent or person someone spoke to: "ho parlato con Luca", "I spoke to Sarah"
        rf"{before}(?i:parlato con|spoke (?:to|with)|talked to|a nome di|intestat[oa] a|on behalf of)[ \t]+"
        rf"(?P<name>{_CAP_NAME})",
        # sign-offs: a name alone on the line after a sign-off that ends its line ("Cordiali saluti\nMario Rossi",
        # "..., cordiali saluti.\n\nMario Rossi"; several sign-offs joined on one line count as one: "Grazie e buona
        # giornata,\nAlessandro Longo"), or on the sign-off's line when the name ends it ("Saluti, Anna")
        rf"(?im:(?<![\w'’]){_SIGNOFF}(?:[ \t]*(?:,|\be\b|\band\b|&)[ \t]*{_SIGNOFF})*[ \t]*[,.!]?[ \t]*"
        rf"(?:\r?\n[ \t]*){{1,3}})(?P<name>{_CAP_NAME})(?=[ \t]*(?:\r?\n|$|,))",
        rf"(?i:(?<![\w'’]){_SIGNOFF})(?:[ \t]*[,:\-–—][ \t]*|[ \t]+)(?P<name>{_CAP_NAME})"
        rf"(?=[ \t]*[.!]?[ \t]*(?:\r?\n|$))",
    ]
    strong = [
        rf"{before}(?i:mi chiamo|my name is|il mio nome è|il mio nome e'|my name's)[ \t]+(?P<name>{_ANY_NAME})",
        # form and header labels: "Nome: Mario Rossi", "Nome e cognome: ...", "From: John Smith"
        rf"(?im:^[ \t]*(?:nome e cognome|nome|cognome|full name|name|surname|intestatario|titolare|"
        rf"from|da|to|a|cc)[ \t]*:)[ \t]*(?P<name>{_ANY_NAME})",
    ]
    return tuple((re.compile(p), False) for p in weak) + tuple((re.compile(p), True) for p in strong)


@cache
def _role_pattern() -> re.Pattern[str]:
    """A role word before a capitalised name, as agents write about customers: "Customer Giulia Bianchi called",
    "la cliente Giulia Bianchi", "Cliente: Mario Rossi". Only for notes (`find_person_spans(..., notes=True)`): in a
    customer's own words "cliente Lumina" names the company."""
    return re.compile(rf"(?<![\w@])(?i:{_ROLE})\b[ \t]*:?[ \t]*(?P<name>{_CAP_NAME})")


def _words(name: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", name)]


def _trim(name: str, strong: bool) -> int:
    """Length of the name's prefix that stays a name once stopwords (and, for weak cues, lowercase words) end it."""
    end = 0
    for start, stop, word in _words(name):
        key = re.sub(r"[.'’]", "", word).lower()
        if key in _STOPWORDS:
            break
        if not strong and word[0].islower() and re.fullmatch(_PARTICLE, word) is None:
            break
        end = stop
    # a trailing particle ("Maria De") is not part of the name
    words = _words(name[:end])
    while words and re.fullmatch(_PARTICLE, words[-1][2]):
        words.pop()
    return words[-1][1] if words else 0


@lru_cache(maxsize=512)  # one entry per contact with names: bounded, a service sees millions
def _known_names_pattern(names: frozenset[str]) -> re.Pattern[str] | None:
    """Whole names and their words (3+ letters, not stopwords or particles), as written and capitalised."""
    forms: set[str] = set()
    for name in names:
        words = [w for _, _, w in _words(name)]
        forms.add(" ".join(words))
        for word in words:
            if len(word) >= 3 and word.lower() not in _STOPWORDS and not re.fullmatch(_PARTICLE, word):
                forms.update({word, word[0].upper() + word[1:]})
    forms.discard("")
    if not forms:
        return None
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<![\w@])(?:{alternatives})(?!\w)")


@lru_cache(maxsize=1024)  # normalisation asks twice per text: once to learn the contact's names, once to redact
def _cued_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of names that a cue introduces ("mi chiamo ...", a sign-off)."""
    spans = []
    for pattern, strong in _patterns():
        pos = 0
        while match := pattern.search(text, pos):
            start = match.start("name")
            length = _trim(match.group("name"), strong)
            if length:
                spans.append((start, start + length))
                pos = match.end()
            else:  # no name after all ("...riscontro.\nSaluti,\nAnna"): the words may be the next cue
                pos = max(start, match.start() + 1)
    return tuple(spans)


def find_person_spans(text: str, known_names: frozenset[str] = frozenset(), *,
                      notes: bool = False) -> list[tuple[int, int]]:
    """Character spans of person names in `text`, sorted and non-overlapping.

    `known_names` are names already known to belong to this contact (found by a cue in another of its messages, or
    the customer's display name): they and their words are found wherever they appear, cue or not. `notes`: the
    text is an agent's note about a customer, where a role word also introduces a name ("Customer Giulia Bianchi").
    """
    spans = list(_cued_spans(text))
    if notes:
        for match in _role_pattern().finditer(text):
            start, length = match.start("name"), _trim(match.group("name"), False)
            if length:
                spans.append((start, start + length))
    known = _known_names_pattern(known_names) if known_names else None
    if known is not None:
        spans.extend(match.span() for match in known.finditer(text))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
