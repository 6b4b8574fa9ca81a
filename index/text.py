"""Word tokenisation for BM25: lower-case words, English stopwords out, Snowball stems.

Stemming lets "fathers" match "father" and "missing" match "miss"; the same function is
used for documents and queries, so the two always agree.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Bump when tokenize() changes: saved term counts (index/bm25.py TermCounts) of another
# version are then ignored and every text is tokenised again at the next build.
TOKENIZER_VERSION = 1

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    s t don shall may might must also""".split()
)

# "seven minute briefings" and "7-minute briefing" are the same thing; "one" is left alone
# ("no one", "one of the partners").
NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split()) if i >= 2}
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_HYPHENATED = re.compile(r"\b[a-z]+(?:-[a-z]+)+\b")


@lru_cache(maxsize=1)
def _stemmer():  # one stemmer object per process; it is stateless and thread-safe to call
    import Stemmer

    return Stemmer.Stemmer("english")


def _bare(token: str) -> str:
    """Without a possessive ending; "18s" -> "18" (a plain test: this runs for every word indexed)."""
    if "'" in token:
        token = token.split("'")[0]
    return token[:-1] if token[-1:] == "s" and token[:-1].isdigit() else token


def words(text: str) -> list[str]:
    """Lower-cased word tokens without possessive endings (no stopword removal).

    A hyphenated word also yields its joined form, so "re-launched" meets "relaunched"
    and "e-bulletins" meets "ebulletins". Number words two to twelve become digits, and a
    plural number is the number ("under 18s" meets "under 18", "the 1990s" meets "1990").
    """
    lower = text.lower()
    out = [NUMBER_WORDS.get(t, t) for t in map(_bare, _TOKEN.findall(lower))]
    out.extend(m.group(0).replace("-", "") for m in _HYPHENATED.finditer(lower))
    return out


def tokenize(text: str) -> list[str]:
    """BM25 terms: stemmed words that are not stopwords."""
    toks = [t for t in words(text) if t not in STOPWORDS]
    return _stemmer().stemWords(toks) if toks else []
