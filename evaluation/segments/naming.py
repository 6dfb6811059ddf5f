"""Segment names: distinctive words by class-based TF-IDF (c-TF-IDF, as in BERTopic) plus the majority claim type.

All the (PII-redacted) texts of a segment form one document; a word's weight in a segment is its frequency there
times log(1 + mean words per segment / its frequency over all segments), so words every segment uses (greetings,
the company's name) weigh little. Redaction placeholders ([PERSON], [PHONE], CFPB's XXXX, ...) and English and Italian stop words
are left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

#: words that say nothing about a claim in either language of the demo corpus and the public sets (and the
#: leftovers of English contractions: don't -> don)
ITALIAN_STOP_WORDS = frozenset("""
a ad al alla alle agli ai all anche ancora avere avete abbiamo ha hanno ho che chi ci come con cosa così da dal dalla
dei del della delle degli di dopo e è ed era essere fa già gli ha hai il in io la le lei li lo loro lui ma mi mia mie
mio miei ne nei nel nella nelle nessun no noi non nostro o per perché più poi può quale quando quello questa questo
qui se sei si sia siamo sono su sua sue sul sulla suo suoi ti tra tu tua tuo un una uno vi voi vostro ciao salve
buongiorno buonasera grazie prego cordiali saluti gentile sto stato stata fatto fare solo ancora ora oggi ieri
""".split()) | {"don", "didn", "doesn", "isn", "wasn", "aren", "haven", "hasn", "couldn", "wouldn", "shouldn", "won"}


#: words sklearn's English stop list drops that are the very subject of claims ("bill", "call", "amount", ...)
CLAIM_WORDS = frozenset({"bill", "call", "amount", "system", "fire", "detail", "full", "empty", "interest", "name",
                         "move", "found", "find", "back", "serious", "top", "part"})
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]|\b[xX]{2,}\b")  # ours, and the public sets' own masks (CFPB's XXXX)


def _vectorizer(min_df: int):
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    stop = sorted((ENGLISH_STOP_WORDS - CLAIM_WORDS) | ITALIAN_STOP_WORDS)
    return CountVectorizer(lowercase=True, token_pattern=r"(?u)\b[^\W\d_][^\W\d_]{2,}\b", stop_words=stop,
                           ngram_range=(1, 2), min_df=min_df, max_features=50_000)


def _strip_placeholders(text: str) -> str:
    """Drop redaction placeholders such as [PERSON], [CODICE_FISCALE] or XXXX: they say who, not what."""
    return _PLACEHOLDER.sub(" ", text)


def distinctive_words(texts: Sequence[str], labels: np.ndarray, k: int, top: int = 5) -> list[list[str]]:
    """The `top` most distinctive words or bigrams of each segment 0..k-1 (class-based TF-IDF)."""
    if k == 0:
        return []
    docs = [" ".join(_strip_placeholders(texts[i]) for i in np.flatnonzero(labels == s)) for s in range(k)]
    try:
        counts = _vectorizer(min_df=1).fit(docs)
    except ValueError:  # nothing but stop words
        return [[] for _ in range(k)]
    matrix = counts.transform(docs).toarray().astype(np.float64)
    terms = counts.get_feature_names_out()
    tf = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1.0)
    mean_words = matrix.sum() / k
    idf = np.log(1.0 + mean_words / np.maximum(matrix.sum(axis=0), 1.0))
    weights = tf * idf
    out = []
    for s in range(k):
        chosen: list[str] = []
        for j in np.argsort(-weights[s], kind="stable"):
            if weights[s, j] <= 0 or len(chosen) == top:
                break
            term = str(terms[j])
            # a bigram whose words are already shown (or a word already in a shown bigram) adds nothing
            if any(term in c or c in term for c in chosen):
                continue
            chosen.append(term)
        out.append(chosen)
    return out


def majority(values: Sequence[str | None], labels: np.ndarray, k: int) -> list[tuple[str | None, float]]:
    """The most common value in each segment and its share there."""
    out = []
    for s in range(k):
        members = [values[i] for i in np.flatnonzero(labels == s)]
        counter = Counter(v for v in members if v is not None)
        if not counter:
            out.append((None, 0.0))
            continue
        value, count = counter.most_common(1)[0]
        out.append((value, count / len(members)))
    return out


def segment_names(words: list[list[str]], claims: list[tuple[str | None, float]]) -> list[str]:
    """`claim type: word, word, word` for each segment."""
    names = []
    for terms, (claim, _) in zip(words, claims, strict=True):
        head = (claim or "unlabelled").replace("_", " ")
        names.append(f"{head}: {', '.join(terms[:3])}" if terms else head)
    return names
