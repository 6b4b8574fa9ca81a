"""The words and sentences the evidence checks read.

Several checks judge a passage sentence by sentence ("a figure beside what is counted", "a date
beside the subject"); they share how a passage splits into sentences, which question words are
filler, what a year and a figure look like, and how the glossary covers a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.text import tokenize, words
from ingest.chunker import split_sentences

FILLER = frozenset("""often actually anything something everything really still getting get got done said
    tell tells told know need needs want wants like look looks find found thing things way ways make made
    happen happened happening going go goes doing long much many recent recently new latest current
    currently please thanks hi hello whats what's who's where's here there ok okay sure kind sort lot lots
    best good bad right wrong ever never always usually also just even anyone someone won wrote write writes
    written""".split())
FILLER_STEMS = frozenset(tokenize(" ".join(FILLER)))  # "really" -> "realli": filler as the tokenizer sees it
# Words that ask for a figure without saying what is counted ("e-bulletin circulation numbers",
# "what's the figure for stockton?"): the figure checks see to them; they are not topic words.
FIGURE_WORDS = frozenset("figure figures number numbers stats statistics rate rates total totals data".split())
YEAR = re.compile(r"\b((?:19|20)\d\d)(?:\s*[-/–]\s*(\d{2,4}))?\b")
WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
NUMBER_WORD = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
                          r"hundred|thousand|dozen)\b", re.I)
_YEAR_MENTION = re.compile(r"\b(?:19|20)\d\d\s*[-/–]\s*\d{2,4}\b|\b(?:in|during|since|from|until|by|for|to|"
                           r"january|february|march|april|may|june|july|august|september|october|november|december)"
                           r"\s+(?:19|20)\d\d(?:\s*[-/–]\s*\d{2,4})?\b", re.I)

# A number that is part of a name counts nothing: a "seven minute briefing" is a kind of document.
_NAMED_NUMBER = re.compile(r"\b(?:7|seven)[- ]minute\b", re.I)


def counts_something(text: str) -> bool:
    """A figure other than a year: "six Rapid Reviews", "2003 children" (but not "during 2020-21"
    or "a seven minute briefing")."""
    bare = _NAMED_NUMBER.sub(" ", _YEAR_MENTION.sub(" ", text))
    return bool(re.search(r"\d", bare) or NUMBER_WORD.search(bare))


def passage_sentences(text: str) -> list[str]:
    """The passage's sentences; each line (a list item, a table row) ends one."""
    return [s for line in text.split("\n") if line.strip() for s in split_sentences(line)]


def years_in(text: str) -> set[str]:
    """'2020-21', '2020/21' and '2020 - 21' are the same year span; '2020' alone is a year."""
    out = set()
    for m in YEAR.finditer(text):
        first, second = m.group(1), m.group(2)
        out.add(first)
        if second:
            out.add(f"{first}-{second[-2:]}")
    return out


def wanted_year(m: re.Match[str]) -> str:
    """A year the question names, as `years_in` spells it: "2020/21" -> "2020-21"."""
    return f"{m.group(1)}-{m.group(2)[-2:]}" if m.group(2) else m.group(1)


LIST_ITEM = re.compile(r"^\s*(?:[-*•◇➔]|\d+[.)])\s+")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^[\s|:-]+$")


def passage_units_with_intros(text: str) -> list[tuple[str, str]]:
    """The passage's sentences and list items as an answer quotes them (only trimmed), each with
    the line that introduces it: a list item's "Throughout 2020-21 there were approximately:", a
    table row's first row ("Finance 2020 - 21 | £"); "" for the rest. An item alone does not say
    its year or what it lists."""
    return _with_intros(_raw_units(text))


def governed_sentences(text: str) -> list[str]:
    """The passage's sentences, each list item or table row read with the line that introduces it."""
    return [f"{intro} {unit}" if intro else unit for unit, intro in passage_units_with_intros(text)]


def _raw_units(text: str) -> list[str]:
    units: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        prose: list[str] = []
        for line in paragraph.split("\n"):
            line = line.strip()
            if not line:
                continue
            if LIST_ITEM.match(line) or _TABLE_ROW.match(line):
                if prose:
                    units.extend(split_sentences(" ".join(prose)))
                    prose = []
                units.append(line)
            else:
                prose.append(line)  # hard line breaks inside a paragraph: one run of text
        if prose:
            units.extend(split_sentences(" ".join(prose)))
    return units


def _with_intros(units: list[str]) -> list[tuple[str, str]]:
    """Units trimmed and merged as quoted, each with the line that introduces it."""
    merged: list[tuple[str, str]] = []
    header = ""  # the current table's first row
    colon = ""  # the last sentence ending with a colon, which introduces the list below it
    for unit in units:
        if _TABLE_RULE.match(unit):
            continue
        intro = ""
        if _TABLE_ROW.match(unit):
            unit = unit.strip().strip("|").strip()
            intro, header = (header, header) if header else ("", unit)
        elif LIST_ITEM.match(unit):
            intro = colon
            header = ""
        else:
            header = ""
        if merged and unit.endswith(":") and len(unit.split()) <= 4 and not LIST_ITEM.match(unit) \
                and not LIST_ITEM.match(merged[-1][0]):
            merged[-1] = (f"{merged[-1][0]} {unit}", merged[-1][1])  # "These are:" belongs to the sentence before it
        else:
            merged.append((unit, intro))
        if not LIST_ITEM.match(unit) and not intro and not header == unit:
            colon = merged[-1][0] if merged[-1][0].endswith(":") else ""
    return merged


def sentence_pairs(text: str) -> list[str]:
    """Each sentence with the one after it: what a claim and its neighbour say together."""
    sentences = passage_sentences(text)
    return [f"{a} {b}" for a, b in zip(sentences, sentences[1:] + [""])]


@lru_cache(maxsize=1)
def glossary():
    """The built-in glossary, compiled once per process (it never changes)."""
    from assistant.glossary import Glossary

    return Glossary()


def expansion_covered(word: str, evidence_tokens: set[str]) -> bool:
    """True when most of one glossary expansion of the word is in the evidence.

    "dads" is covered by a passage about fathers; "LADO" is not covered by a passage that
    merely says "local authority" somewhere.
    """
    for expansion in glossary().expansions(word):
        toks = set(tokenize(expansion))
        if toks and len(toks & evidence_tokens) >= max(1, round(len(toks) * 2 / 3)):
            return True
    return False



_PEOPLE = frozenset(tokenize("kid kids children child young people youngsters"))


@dataclass(frozen=True)
class EverydayPhrase:
    """An everyday phrase of a question ("in care"), its own words and the documents' words for it."""

    text: str
    own: frozenset[str]
    documents: frozenset[str]

    def in_documents_words(self, tokens: set[str]) -> bool:
        """The sentence says it the documents' way ("579 children looked after" for "in care")."""
        return bool(self.documents) and len(self.documents & tokens) >= max(1, len(self.documents) // 2)

    def used_otherwise(self, text: str) -> bool:
        """A phrase of several words whose words do not stand together in the sentence: its word
        there belongs to another phrase ("Education, Health and Care" for "in care")."""
        return " " in self.text and not _has_run(_stems(text), _stems(self.text))


def everyday_phrases(question: str) -> list[EverydayPhrase]:
    """The question's everyday phrases that the glossary gives the documents' words for (who is
    counted, "children", left out of those)."""
    out = []
    for start, end, theirs in glossary().plain_phrases(question):
        text = " ".join(question[start:end].lower().split())
        own = frozenset(tokenize(text)) - FILLER_STEMS  # "how many": "number" says nothing about what is counted
        documents = frozenset(tokenize(theirs)) - _PEOPLE - own
        if own and (documents or " " in text):
            out.append(EverydayPhrase(text, own, documents))
    return out


@lru_cache(maxsize=4096)
def _stems(text: str) -> tuple[str, ...]:
    """Every word stemmed, stopwords kept: "in care" -> ("in", "care"), "protection plans" -> ("protect", "plan").
    Cached: a question's sentence choice reads each sentence once for `as_meant` and once for
    `used_otherwise`."""
    return tuple((tokenize(w) or [w])[0] for w in words(text))


def _has_run(sequence: tuple[str, ...], run: tuple[str, ...]) -> bool:
    return any(sequence[i:i + len(run)] == run for i in range(len(sequence) - len(run) + 1))


def as_meant(tokens: set[str], text: str, phrases: list[EverydayPhrase]) -> set[str]:
    """A sentence's words as the question's everyday phrases read them.

    A sentence in the documents' words for a phrase ("579 children looked after" for "kids in
    care", "Expenditure" for "spend") has the phrase's own words; a sentence with a word of a
    longer phrase used otherwise ("Education, Health and Care plans" for "in care", "EHC Plans"
    for "protection plans") does not.
    """
    out = set(tokens)
    for phrase in phrases:
        if phrase.in_documents_words(tokens):
            out |= phrase.own
        elif phrase.used_otherwise(text):
            out -= phrase.own
    return out


def used_otherwise(tokens: set[str], text: str, phrases: list[EverydayPhrase]) -> bool:
    """True when the sentence has the one word of a question's everyday phrase only inside another
    phrase ("Care" in "Education, Health and Care" for "kids in care"), and none of the documents'
    words for it: its closeness to the question is partly that word's. (A phrase of two words
    sharing one, "case reviews" and "practice reviews", is a partial match, not another sense.)"""
    return any(len(phrase.own) == 1 and phrase.own & tokens and not phrase.in_documents_words(tokens)
               and phrase.used_otherwise(text) for phrase in phrases)
