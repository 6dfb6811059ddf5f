"""What the customer's words say that the routing policy must act on whatever the models think: an explicit request
for a person, a legal threat, signs of a vulnerable customer, a customer saying this is not their first contact about
it (the journey store may not know: a new channel, an identifier it has not seen, a claim it filed under another
type). English and Italian patterns, matched on the redacted
customer text (no identifiers needed). Precise rather than exhaustive: a false alarm costs an agent a minute, a
missed vulnerable customer costs far more, so the patterns lean inclusive where the words are unambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimtriage.data.journeys.linking import refers_back

_HUMAN = re.compile(
    r"\b(?:(?:talk|speak|chat)(?:ing)? (?:to|with) (?:an? )?(?:real |actual |live )?(?:person|human|agent|operator|"
    r"someone|somebody|representative)|(?:a |an )?(?:real|actual|live) (?:person|human|agent)|human,? please|"
    r"a human|not (?:a |the )?(?:bot|robot|machine)|representative please|^\s*(?:agent|operator|human)\s*[.!?]*\s*$|"
    r"(?:parlare|parlo) con (?:un[ao]? )?(?:operatore|operatrice|persona|umano|essere umano|addetto)|"
    r"(?:mi )?passi (?:un[ao]? )?(?:operatore|operatrice|persona)|persona (?:vera|reale|in carne)|un umano|"
    r"non (?:con )?(?:un |il )?(?:bot|robot|risponditore)|^\s*operatore\s*[.!?]*\s*$|voglio un operatore)",
    re.IGNORECASE | re.MULTILINE,
)

_LEGAL = re.compile(
    r"\b(?:lawyers?|attorneys?|solicitors?|legal action|take (?:you|this) to court|sue you|suing|small claims|"
    r"ombudsman|regulator|ofcom|ofgem|trading standards|class action|"
    r"avvocat[oiae]|legale|vie legali|azione legale|denuncia|denuncerò|denunciare|diffida|querela|"
    r"giudice di pace|tribunale|class action|codacons|agcom|arera|corecom|conciliazione|associazione (?:dei )?"
    r"consumatori|antitrust)\b",
    re.IGNORECASE,
)

_VULNERABLE = re.compile(
    r"\b(?:elderly|pensioner|disabled|disability|wheelchair|hospital|in hospital|chemo\w*|terminal(?:ly)? ill|"
    r"seriously ill|bereave\w*|passed away|died|widow(?:ed|er)?|funeral|can(?:no|')t afford|unemployed|lost my job|"
    r"medical (?:device|equipment)|oxygen|life[- ]support|dialysis|carer|vulnerable|"
    r"anzian[oiae]|persona anziana|pensionat[oa]|disabil[ei]|invalid[oiae]|carrozzina|ospedal\w*|ricoverat[oa]|"
    r"malat(?:o|a|tia) grave|chemio\w*|lutto|deceduto|deceduta|scompars[oa]|è mort[oa]|vedov[oa]|funerale|"
    r"non (?:posso|riesco a) pagare|disoccupat[oa]|perso il lavoro|difficoltà economiche|salvavita|ossigeno|"
    r"dialisi|macchinari? medic\w*|badante|non vedente|non udente|fragile)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TextSignals:
    human_request: bool = False
    legal_threat: bool = False
    vulnerable: bool = False
    #: "I already wrote", "still waiting", "sollecito": the words claim linking reads as pointing at an earlier contact
    says_repeat: bool = False


def text_signals(text: str) -> TextSignals:
    return TextSignals(human_request=bool(_HUMAN.search(text)), legal_threat=bool(_LEGAL.search(text)),
                       vulnerable=bool(_VULNERABLE.search(text)), says_repeat=refers_back(text))
