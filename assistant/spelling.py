"""What the practitioner typed, spelt the way the documents spell it.

People type fast: "whos the chair thats stepping down", "when is the HOTH confrence". A word
the documents never use matches nothing in BM25 and counts against the question's coverage in
the found check, so a typo can turn an answerable question into "not covered". Before
retrieval, then:

- the apostrophe of a common contraction is put back ("whos" -> "who's", "thats" -> "that's");
- a word that is neither in the index nor everyday English, and is one edit away (two for a
  long word) from a word the documents use, becomes that word ("confrence" -> "conference").
  Everyday English is left alone ("nursery" is not the documents' "nurses"), and so are
  acronyms and words with digits.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Iterable

from assistant.glossary import is_common_word

CONTRACTIONS = {
    "whos": "who's", "whats": "what's", "thats": "that's", "wheres": "where's", "hows": "how's",
    "theres": "there's", "dont": "don't", "doesnt": "doesn't", "didnt": "didn't", "cant": "can't",
    "isnt": "isn't", "arent": "aren't", "wasnt": "wasn't", "werent": "weren't", "im": "I'm", "ive": "I've",
    "youre": "you're", "theyre": "they're", "shouldnt": "shouldn't", "couldnt": "couldn't",
    "wouldnt": "wouldn't", "hasnt": "hasn't", "havent": "haven't",
}
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
MIN_LENGTH = 5  # shorter words are too often one edit from another real word
LONG_WORD = 8  # from this length two edits are allowed


def restore_apostrophes(text: str) -> str:
    """"whos the chair" -> "who's the chair"."""
    return _WORD.sub(lambda m: CONTRACTIONS.get(m.group(0).lower(), m.group(0)), text)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours is one edit), or limit + 1 once
    it is sure to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class Speller:
    """Corrects question words against the words of one index's passages."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.counts = Counter(w.lower() for t in texts for w in _WORD.findall(t) if len(w) >= MIN_LENGTH - 1)
        self._by_letter: dict[str, list[tuple[str, int]]] = {}  # a typo rarely changes the first letter
        for word, count in self.counts.items():
            self._by_letter.setdefault(word[0], []).append((word, count))

    def suggestion(self, word: str) -> str | None:
        """The documents' word for a misspelt one, or None (known, everyday, or no single best)."""
        lower = word.lower()
        if len(lower) < MIN_LENGTH or lower in self.counts or is_common_word(lower) or word.isupper():
            return None
        limit = 2 if len(lower) >= LONG_WORD else 1
        best: list[tuple[int, int, str]] = []
        for candidate, count in self._by_letter.get(lower[0], ()):
            if abs(len(candidate) - len(lower)) > limit:
                continue
            d = edit_distance(lower, candidate, limit)
            if d <= limit:
                best.append((d, -count, candidate))
        if not best:
            return None
        best.sort()
        if len(best) > 1 and best[1][:2] == best[0][:2]:
            return None  # two equally likely words: leave it
        return best[0][2]

    def correct(self, text: str) -> str:
        return _WORD.sub(lambda m: self.suggestion(m.group(0)) or m.group(0), text)


def tidy(text: str, known: Callable[[str], bool], speller: Callable[[], Speller]) -> str:
    """Apostrophes restored and misspellings corrected. `known(word)` says the index has the word
    (cheap); the speller, which reads every passage, is only asked for when a word is not known."""
    text = restore_apostrophes(text)
    unknown = [w for w in _WORD.findall(text) if len(w) >= MIN_LENGTH and "'" not in w and not w.isupper()
               and not known(w) and not is_common_word(w)]
    return speller().correct(text) if unknown else text
