"""Reduce an email to what the customer wrote this time: no quoted thread, forwarded headers, signature or disclaimer.

Rules, in order: cut at the first quoted-reply or forwarded-message marker ("On ... wrote:", "Il giorno ... ha
scritto:", "-----Original Message-----", a "From:/Da:" header block, an Outlook underscore rule); cut at a legal
disclaimer and at the "-- " signature delimiter; drop "Sent from my iPhone" lines and "> " quoted lines; after a
sign-off line ("Cordiali saluti", "Best regards") keep the sign-off and drop the short lines that follow it (name,
title, phone). When the customer wrote nothing above a forwarded message ("Fwd:" with an empty top), the forwarded
text is kept, less its header block, because it is then the only thing the customer sent.
"""

from __future__ import annotations

import re
from functools import cache

# Most a signature block may hold after its sign-off line; longer tails are content, not signature.
_MAX_SIGNATURE_LINES = 6
_MAX_SIGNATURE_LINE_CHARS = 80


@cache
def _regexes() -> dict[str, re.Pattern[str]]:
    return {
        "subject_prefix": re.compile(r"^\s*(?:(?:re|r|fwd?|i|inoltro|aw|wg|tr|rif)\s*(?:\[\d+\])?\s*:\s*)+", re.I),
        "separator": re.compile(
            r"^\s*(?:-{2,}\s*(?:original message|messaggio originale|forwarded message|messaggio inoltrato|"
            r"mensaje original|message d'origine)\s*-{2,}|_{8,})\s*$",
            re.I | re.M,
        ),
        # "On Mon, 3 Mar 2024 at 10:00, Mario <m@x.it> wrote:" may wrap onto a second line
        "reply_intro": re.compile(
            r"^[ \t]*(?:on\b[^\n]*(?:\n[^\n]*)?\bwrote|il(?: giorno)?\b[^\n]*(?:\n[^\n]*)?\bha scritto|"
            r"el\b[^\n]*(?:\n[^\n]*)?\bescribió|le\b[^\n]*(?:\n[^\n]*)?\ba écrit|am\b[^\n]*(?:\n[^\n]*)?\bschrieb)"
            r"[ \t]*:[ \t]*$",
            re.I | re.M,
        ),
        "header_from": re.compile(r"^[ \t]*\*?(?:from|da|de|von)\*?[ \t]*:", re.I | re.M),
        "header_other": re.compile(
            r"^[ \t]*\*?(?:sent|date|inviato|data|enviado|gesendet|subject|oggetto|asunto|objet|betreff)\*?[ \t]*:",
            re.I,
        ),
        "header_any": re.compile(
            r"^[ \t]*\*?(?:from|da|de|von|sent|date|inviato|data|enviado|gesendet|to|a|para|an|cc|ccn|bcc|subject|"
            r"oggetto|asunto|objet|betreff)\*?[ \t]*:",
            re.I,
        ),
        "disclaimer": re.compile(
            r"^[ \t]*(?:questo messaggio|il presente messaggio|le informazioni contenute|ai sensi del|"
            r"this e-?mail|this message|the information contained in this|confidentiality notice|disclaimer|"
            r"please consider the environment|pensa all'ambiente|rispetta l'ambiente)\b[^\n]*"
            r"(?:confidenzial|riservat|destinatari|intended (?:solely|only|recipient)|intended for the|confidential|"
            r"privileged|print|stampa|d\.?\s?lgs|"
            r"gdpr|regolamento)",
            re.I | re.M,
        ),
        "signature_delimiter": re.compile(r"^--[ \t]*$", re.M),
        "sent_from": re.compile(
            r"^[ \t]*(?:sent from|sent via|inviato da|inviato dal mio|get outlook for|scarica outlook|"
            r"enviado desde|von meinem)\b.*$",
            re.I,
        ),
        "signoff": re.compile(
            r"^[ \t]*(?:cordiali saluti|distinti saluti|saluti cordiali|un cordiale saluto|cordialmente|"
            r"grazie e saluti|grazie mille e saluti|grazie|grazie mille|saluti|best regards|kind regards|"
            r"warm regards|regards|best wishes|best|many thanks|thanks|thank you|cheers|sincerely|"
            r"yours sincerely|yours faithfully|a presto)[ \t]*[,.!]?[ \t]*$",
            re.I,
        ),
        "blank_lines": re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+"),
    }


def clean_subject(subject: str | None) -> str:
    """The subject without reply and forward prefixes (Re:, R:, Fwd:, I:, Fw:, repeated)."""
    if not subject:
        return ""
    return _regexes()["subject_prefix"].sub("", subject).strip()


def _header_block_start(text: str) -> int | None:
    """Where a forwarded "From:/Da:" header block begins: a From line with Sent/Date/Subject within four lines."""
    for match in _regexes()["header_from"].finditer(text):
        following = text[match.end():].split("\n")[1:5]
        if any(_regexes()["header_other"].match(line) for line in following):
            return match.start()
    return None


def _first_cut(text: str) -> int | None:
    """The offset of the first marker after which everything is earlier correspondence."""
    offsets = [m.start() for key in ("separator", "reply_intro") if (m := _regexes()[key].search(text))]
    header = _header_block_start(text)
    if header is not None:
        offsets.append(header)
    return min(offsets) if offsets else None


def _drop_header_lines(text: str) -> str:
    """The forwarded part without its separator, header lines and reply intro."""
    text = _regexes()["separator"].sub("", text)
    text = _regexes()["reply_intro"].sub("", text)
    return "\n".join(line for line in text.split("\n") if not _regexes()["header_any"].match(line))


def _trim_signoff(lines: list[str]) -> list[str]:
    """Keep the first sign-off line whose tail looks like a signature block, and drop that tail."""
    for index, line in enumerate(lines):
        if not _regexes()["signoff"].match(line):
            continue
        tail = [t for t in lines[index + 1:] if t.strip()]
        if len(tail) <= _MAX_SIGNATURE_LINES and all(len(t) <= _MAX_SIGNATURE_LINE_CHARS for t in tail):
            return lines[: index + 1]
    return lines


def _own_words(text: str) -> str:
    """Disclaimer, signature, device lines and quoted lines removed from text that has no thread in it any more."""
    for key in ("disclaimer", "signature_delimiter"):
        match = _regexes()[key].search(text)
        if match:
            text = text[: match.start()]
    lines = [
        line for line in text.split("\n")
        if not line.lstrip().startswith(">") and not _regexes()["sent_from"].match(line)
    ]
    lines = _trim_signoff(lines)
    text = "\n".join(line.rstrip() for line in lines)
    return _regexes()["blank_lines"].sub("\n\n", text).strip()


def clean_email_body(body: str | None) -> str:
    """The customer's new words in an email body: thread, forwarded headers, signature and disclaimer removed."""
    if not body:
        return ""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    cut = _first_cut(text)
    top = _own_words(text[:cut] if cut is not None else text)
    if top or cut is None:
        return top
    # nothing above the marker: a bare forward, whose forwarded text is what the customer is sending us
    return _own_words(_drop_header_lines(text[cut:]))
