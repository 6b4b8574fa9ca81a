"""Recognising case-review material in indexed text: review names and learning sections.

Loaders differ (Markdown headings, HTML headings, PDF title lines guessed from layout),
but every chunk has the same shape, so recognition works on heading paths and chunk text
only. The patterns are general on purpose: a review is a name followed by a review type
("EMMA LCSPR", "Amber & Joshua LCSPR", "SLSCB Eve SCR", "Sara Sherif Local Child
Safeguarding Practice Review"), an anonymised child ("Child M", "Baby Q", "Child JSW"),
a capitalised name after a dash in a reviews heading ("... - EVE"), or the topic of a
deep dive / key line of enquiry / multi-agency audit ("on the theme of 'X'").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.text import tokenize

# Review types: (regex, short label, rank: a more specific type wins when one name has several).
_TYPES: tuple[tuple[str, str, int], ...] = (
    (r"LCSPRs?|Local Child Safeguarding Practice Reviews?", "LCSPR", 5),
    (r"CSPRs?|Child Safeguarding Practice Reviews?", "CSPR", 5),
    (r"SCRs?|Serious Case Reviews?", "SCR", 5),
    (r"SARs?|Safeguarding Adults? Reviews?", "SAR", 5),
    (r"DHRs?|Domestic Homicide Reviews?", "DHR", 5),
    (r"LSCPRs?", "LCSPR", 5),
    (r"Rapid Reviews?", "Rapid Review", 3),
    (r"(?:Case|Learning|Practice|Thematic) Reviews?", "Review", 2),
    (r"Deep[- ]Dives?", "Deep Dive", 2),
)
_TYPE_RE = "|".join(f"(?:{pattern})" for pattern, _, _ in _TYPES)
_NAME_TOKEN = r"[A-Z][A-Za-z'’-]*"
# Up to three capitalised name words (joined by '&' or 'and'), then a review type.
_NAMED = re.compile(
    rf"\b((?:{_NAME_TOKEN})(?:\s+(?:&|and)\s+{_NAME_TOKEN}|\s+{_NAME_TOKEN}){{0,3}}?)\s+({_TYPE_RE})\b"
)
# "Serious Case Review: Family W": the type first, then the name.
_TYPE_THEN_NAME = re.compile(rf"\b({_TYPE_RE})\s*[-–—:]\s*({_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,2}})")
# Every review pattern below needs one of these (case as written): a cheap test before the slow patterns.
_TRIGGERS = ("Review", "CSPR", "SCR", "SAR", "DHR", "LSCPR", "Deep", "Child ", "Baby ", "Infant ", "Sibling ",
             "Young Person", "Adult ")
_TRIGGER = re.compile("|".join(map(re.escape, _TRIGGERS)))
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")
# An anonymised subject: "Child M", "Baby Q", "Child JSW" (never "Child Protection").
_SUBJECT = re.compile(r"\b(Child|Baby|Infant|Sibling|Young Person|Adult)\s+([A-Z]{1,4})(?![A-Za-z])")
_SUBJECT_NOT = frozenset({"CP", "CIN", "CSE", "CCE", "LAC", "SEN", "SEND", "CAMHS", "IN", "A", "I", "OF", "AND", "THE"})
# "Reviews carried over ... - EVE": a capitalised name closing a heading about reviews.
_HEADING_NAME = re.compile(r"\breview", re.I)
_TRAILING_NAME = re.compile(r"\s[-–—:]\s*([A-Z]{3,}(?:\s+(?:&|and)\s+[A-Z]{3,})?)\s*$")
# The topic of a deep dive, key line of enquiry or audit.
_TOPIC = re.compile(r"\btheme of\s+(?:['‘\"“]([^'’\"”]{3,80})['’\"”]|([A-Z][^.;,:()]{2,80}))")
_TOPIC_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bKLOEs?\b|\bkey lines? of enquiry\b", re.I), "KLOE deep dive"),
    (re.compile(r"\bdeep[- ]dives?\b", re.I), "Deep dive"),
    (re.compile(r"\baudits?\b", re.I), "Multi-agency audit"),
)
# Capitalised words that start sentences or name organisations, never a reviewed child.
_NOT_NAMES = frozenset(
    """the this that these those a an our their its each every any all both local national
    practice safeguarding children child multi agency rapid recent previous latest new first
    second third fourth published thematic joint partnership review reviews serious case
    learning adult adults domestic following from since during following in on at for of
    by with after before recommendations findings briefing briefings minute seven
    key lines two three four five six current ongoing completed""".split()
)
# Safeguarding partnership / board acronyms (HSSCP, SLSCB, TSAB...), never a review name.
_ORG_ACRONYM = re.compile(r"^[A-Z]*S[A-Z]*(?:CP|CB|AB|CSP)$")

_LEARNING_HEADING = re.compile(
    r"\b(learning themes?|key learning|learning points?|learning from|lessons?(?: learn\w*)?|"
    r"what (?:we|was|has been) learn\w*|findings?|recommendations?|key messages?|themes?|"
    r"areas? for (?:improvement|development)|practice points?)\b|^learning$",
    re.I,
)
_NOT_LEARNING_HEADING = re.compile(
    r"\b(active|e-|distance) ?learning\b|learning (?:and|&) development|learning requests?|"
    r"methodology|terms of reference|e-learning", re.I
)
_LEARNING_INTRO = re.compile(
    r"\b(learning themes?|key learning|learning points?|lessons?|key messages?|identified learning|"
    r"themes? (?:were|was|have been|has been) identified|key (?:impacts|themes|findings)|findings)\b",
    re.I,
)
_SEVEN_MINUTE = re.compile(r"\b(?:7|seven)[- ]minute briefing", re.I)
_REVIEWISH_TITLE = re.compile(rf"{_SEVEN_MINUTE.pattern}|\b(?:{_TYPE_RE})\b|\breview\b", re.I)


@dataclass(frozen=True)
class ReviewMention:
    """One naming of a review; `key` decides which mentions are the same review."""

    name: str
    review_type: str | None
    rank: int
    key: str


def review_key(name: str) -> str:
    """'Amber & Joshua' and 'amber and joshua' are the same review; 'EVE' is 'Eve'."""
    words = re.findall(r"[a-z0-9]+", name.lower().replace("’", "'"))
    return " ".join(w for w in words if w not in {"and"})


def _type_of(text: str) -> tuple[str, int]:
    for pattern, label, rank in _TYPES:
        if re.fullmatch(pattern, text, re.I):
            return label, rank
    return "Review", 1


def _clean_name(raw: str) -> str | None:
    tokens = raw.split()
    # Drop leading words that cannot be names ("The", "Following") and partnership acronyms.
    while tokens and (tokens[0].lower().strip("'’") in _NOT_NAMES or _ORG_ACRONYM.match(tokens[0])
                      or tokens[0] in {"&", "and"}):
        tokens = tokens[1:]
    # "SLSCB Eve": an all-capitals word before a mixed-case name is an organisation.
    while len(tokens) > 1 and tokens[0].isupper() and not tokens[1].isupper() and tokens[1] not in {"&", "and"}:
        tokens = tokens[1:]
    if not tokens or any(t.lower() in _NOT_NAMES for t in tokens if t not in {"&", "and"}):
        return None
    name = " ".join(tokens)
    return name if re.search(r"[A-Za-z]{2,}", name) or _SUBJECT.fullmatch(name) else None


def _sentence_type(text: str, at: int) -> tuple[str, int]:
    """The review type named in the sentence around position `at`, if any."""
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, at)), default=0)
    end_m = _SENTENCE_END.search(text, at)
    sentence = text[start:end_m.start() if end_m else len(text)]
    t = re.search(rf"\b({_TYPE_RE})\b", sentence, re.I)
    return _type_of(t.group(1)) if t else ("", 0)


def find_reviews(text: str) -> list[ReviewMention]:
    """Review names mentioned in a heading or passage, in order of first appearance."""
    if not _TRIGGER.search(text):
        return []  # neither a review type nor "Child M": most passages, and the patterns below are slow
    found: list[tuple[int, ReviewMention]] = []
    taken: list[tuple[int, int]] = []
    for m in _SUBJECT.finditer(text):
        if m.group(2) in _SUBJECT_NOT:
            continue
        name = f"{m.group(1)} {m.group(2)}"
        after = text[m.end():m.end() + 60]
        t = re.match(rf"\s*({_TYPE_RE})\b", after)
        before = text[max(0, m.start() - 70):m.start()]
        t_before = re.search(rf"({_TYPE_RE})\s*[-–—:]?\s*$", before)
        label, rank = _type_of(t.group(1)) if t else (_type_of(t_before.group(1)) if t_before else ("", 0))
        if not label:  # "2 LCSPRs are underway for Child JSW and Child RAC": the sentence says
            label, rank = _sentence_type(text, m.start())
        found.append((m.start(), ReviewMention(name, label or None, rank, review_key(name))))
        taken.append((m.start(), m.end()))
    for m in _NAMED.finditer(text):
        if any(s <= m.start(1) < e or s < m.end(1) <= e for s, e in taken):
            continue
        name = _clean_name(m.group(1))
        if not name:
            continue
        label, rank = _type_of(m.group(2))
        found.append((m.start(), ReviewMention(name, label, rank, review_key(name))))
    for m in _TYPE_THEN_NAME.finditer(text):
        if any(s <= m.start(2) < e for s, e in taken) or _SUBJECT.match(m.group(2)):
            continue
        name = _clean_name(m.group(2))
        if name:
            label, rank = _type_of(m.group(1))
            found.append((m.start(), ReviewMention(name, label, rank, review_key(name))))
    found.sort(key=lambda p: p[0])
    return [m for _, m in found]


def heading_reviews(heading: str) -> list[ReviewMention]:
    """Reviews a heading names, including '... reviews - EVE' style headings."""
    out = find_reviews(heading)
    if not out and _HEADING_NAME.search(heading):
        m = _TRAILING_NAME.search(heading)
        if m and not _ORG_ACRONYM.match(m.group(1)):
            out = [ReviewMention(m.group(1), None, 0, review_key(m.group(1)))]
    return out


def find_topics(text: str, context: str) -> list[ReviewMention]:
    """Deep dives, key lines of enquiry and audits named by their theme in this passage."""
    if "theme of" not in text:
        return []  # every topic is named "... the theme of X": a cheap test before the patterns
    kind = next((label for pattern, label in _TOPIC_KINDS if pattern.search(context)), None)
    if kind is None:
        return []
    out = []
    for m in _TOPIC.finditer(text):
        topic = (m.group(1) or m.group(2) or "").strip().rstrip(" -")
        if topic and len(topic.split()) <= 12:
            out.append(ReviewMention(f"{kind}: {topic}", kind, 2, review_key(f"{kind} {topic}")))
    return out


def is_learning_heading(heading: str) -> bool:
    """A heading that opens learning, findings or recommendations."""
    return bool(_LEARNING_HEADING.search(heading)) and not _NOT_LEARNING_HEADING.search(heading)


def is_learning_intro(line: str) -> bool:
    """A line that introduces a list of learning themes ('...learning themes:')."""
    return bool(_LEARNING_INTRO.search(line)) and not _NOT_LEARNING_HEADING.search(line)


def is_review_document(title: str, doc_type: str) -> bool:
    """Seven-minute briefings and review reports are review material as a whole."""
    return bool(_REVIEWISH_TITLE.search(title)) or doc_type.lower() in {
        "briefing", "case-review", "review", "lcspr", "scr", "sar", "seven-minute-briefing"}


def briefing_name(title: str) -> str:
    """A review name for a briefing whose title names no review pattern."""
    name = re.sub(rf"^\s*{_SEVEN_MINUTE.pattern}\s*[:\-–—]?\s*", "", title, flags=re.I).strip()
    return name or title


def content_stems(text: str) -> set[str]:
    """Stems that carry meaning for comparing theme titles (generic words left out)."""
    return {t for t in tokenize(text) if t not in _GENERIC_STEMS and not t.isdigit()}


_GENERIC_STEMS = frozenset(
    "practic work safeguard child children multi agenc review process procedur guidanc "
    "profession practition need ensur improv develop key theme learn identifi".split()
)
