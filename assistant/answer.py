"""Extractive answers: sentences copied from the retrieved passages, each cited.

Nothing is generated. Candidate sentences (and list items) from the best passages are
scored by meaning (embedding similarity to the question) and by the question's words,
with a nudge for numbers when the question asks for one; the best few are kept in
reading order, each followed by its citation marker. When the evidence is weak the answer
says plainly that the documents do not cover the question.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Callable, Mapping, Sequence

import numpy as np

from assistant.contents import missing_contents, missing_rating
from assistant.evidence import (ASKED_KINDS, WEB, WHEN_ASKED, Gaps, asked_kinds, evidence_gaps, missing_date, missing_kinds,
                                missing_name, spells_out)
from assistant.figures import (breakdown_asked, missing_attendance, missing_breakdown, missing_earlier_year,
                               missing_place, missing_topic_figure, topic_words, QUESTION_START, SHARE, SHARE_Q,
                               WHO_IS_COUNTED)
from assistant.findings import missing_findings
from assistant.followup import split_follow_up
from assistant.models import Answer, Hit
from assistant.people import WHO_Q, missing_person, names_a_person
from assistant.places import places_in
from assistant.retrieval import Query
from assistant.sentences import (FILLER_STEMS, LIST_ITEM as _LIST_ITEM, as_meant, counts_something,
                                 everyday_phrases, passage_units_with_intros, used_otherwise, years_in, NUMBER_WORD, YEAR)
from assistant.signals import CONTACT_Q, NUMERIC_Q, WHEN_Q, contact_block
from index.embedder import Embedder
from index.text import tokenize

NOT_FOUND = ("The indexed documents do not appear to cover this question. "
             "The closest passages are listed below, but they may not answer it.")
SENTENCE_CACHE = 2048
HEADING_EXTRA = 0.5  # the passage's own heading counts as if the sentence said it
HEADING_RERANK = 0.2  # and, weighted by idf, the passage's section headings towards its place in the rerank
INTRO_WEIGHT = 1.0  # the line introducing a list item or table row counts as if the item said it
MAX_WHOLE_LIST = 8  # a list up to this long is quoted whole when its introduction is quoted
FORM_BONUS = 0.15  # a sentence in the form asked for: a frequency for "how often", a span for "how long"
FALSE_FRIEND = 0.15  # a sentence with a word of the question's everyday phrase used in another phrase
WEBSITE_WITHIN = 0.2  # an address this close to the best sentence is quoted for a website question
ADDRESS_LEADS_WITHIN = 0.05  # and leads the answer to "where can I find ..."
NOUN_LEAD = 0.15  # the first sentence under a heading naming what "what <noun> ..." asks for
PROMOTE_DEPTH = 10  # passages looked through for one that gives the kind of fact asked (see Composer.promote)
SOUGHT_KINDS = frozenset({name for name, _, _ in ASKED_KINDS}
                         | {"a name", "its name", "a date", "who chairs it", "who heads it"})
_NAMED = re.compile(r"\b[A-Z][A-Za-z]*[A-Z]\b|\b[A-Z][a-z]+\b")  # "EMMA", "LCSPRs", "Stockton"
_LINK_LINE = re.compile(r"^\s*<?\[?(?:https?://|www\.)\S+\s*$", re.I)  # a line that is only an address
# "what was the second one about?" after "what audits were done?": the sentence that says "the
# second" is the one asked about, whatever else the earlier question's words favour.
_ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth)\b", re.I)
# "How often does the exec meet?" is answered by "bi-monthly", "every 6 weeks"; "how many under 18s"
# by the figure for "under 18", not the whole population's.
_HOW_OFTEN = re.compile(r"\bhow (?:often|frequently|regularly)\b", re.I)
_HOW_OFTEN_STEMS = frozenset(tokenize("how often"))
_FREQUENCY = re.compile(r"\b(?:bi-?monthly|monthly|weekly|fortnightly|quarterly|annually|yearly|daily|bi-?annually"
                        r"|every (?:\w+ )?(?:days?|weeks?|months?|years?|quarter)|(?:once|twice|\w+ times) (?:a|per|each) "
                        r"(?:day|week|month|year|term|quarter))\b", re.I)
# "What's the website for the Tees procedures?", "tees procedures website link": the address is the
# answer. Only a nudge, not a kind the evidence must have ("is the briefing on the website?").
_WEBSITE_Q = re.compile(r"\b(?:website|web site|web ?link|link)\b", re.I)
# "Who are the statutory partners?", "which organisations are ...": the members, one list item each.
_MEMBERS_Q = re.compile(r"^\s*(?:and\s+)?(?:who|which(?:\s+[a-z]+)?)\s+(?:are|were)\b", re.I)
# "Is that face to face or online?", "courses in a room or on teams?": the answer names both
# alternatives ("a hybrid model of both face to face and virtual delivery"); a few words each side.
_EITHER_OR = re.compile(r"(?P<left>(?:[\w'-]+\s+){0,2}[\w'-]+)\s+or\s+(?P<right>[\w'-]+(?:\s+[\w'-]+){0,2})", re.I)
_WHERE_STEMS = frozenset(tokenize("where find get access download procedure procedures guidance document"))
_SAID_WHERE = re.compile(r"\b(?:found|available|published|accessed|downloaded)\s+(?:on|via|at|from|in)\s+(?:the\s+|our\s+)?"
                         r"[\w' -]{0,40}?\b(?:website|web ?site|web ?page|portal|platform)\b", re.I)
# "When are the learning from reviews sessions on this year?", "... these days": the newest document
# among the passages speaks for now; the 2020-21 report's sessions are history.
_NOW = re.compile(r"\b(?:this year|these days|nowadays|now|currently|at the moment|right now|at present|lately|recently)\b", re.I)
NOW_BONUS = 0.15
_LIST_LEAD_IN = re.compile(r"(?<=[.!?])\s+[^.!?:]{1,40}:\s*$")  # "... assurance reports. The Executive:"
# "Is there any conference coming up?": a sentence about something still to happen ("will take
# place on 18th March 2026"), not the conference held in November 2020.
_COMING_Q = re.compile(r"\b(?:coming up|upcoming|forthcoming|coming soon|in the pipeline)\b", re.I)
_FUTURE = re.compile(r"\bwill (?:take place|be (?:held|delivered|run|hosted|launched|published))\b|\b(?:is|are) "
                     r"(?:expected|scheduled|due|planned|being planned)\b|\bscheduled (?:to|for)\b|\bupcoming\b|\bforthcoming\b", re.I)
# "What did people say about the virtual training?": what they said, the quoted feedback ("> It gave
# great insight"), not the sentences about the training.
_SAID_Q = re.compile(r"\bwhat (?:did|do|have) (?:people|attendees|delegates|staff|practitioners|professionals|participants"
                     r"|colleagues|families|parents|children|young people|they) (?:say|said|think|thought|feel|felt)\b"
                     r"|\bfeedback\b|\bcomments?\b|\btestimonials?\b|\bquotes?\b", re.I)
_QUOTED = re.compile(r"^\s*>|^\s*[\"“]")
# "How do I book onto a course?": the sentence with the action asked about ("bookings made via a
# new online booking system"), not the sentences about courses. Light verbs say nothing of it.
_HOW_DO_I = re.compile(r"\bhow (?:do|can|should|would|could|does|to) (?:(?:i|we|you|staff|people|professionals|practitioners"
                       r"|someone|a school|schools|parents)\s+)?(?:go about\s+|actually\s+)?([a-z]+)\b", re.I)
_LIGHT_VERBS = frozenset(tokenize("make get do go find know see use have take keep give put be work start deal"))
# "How many training sessions did HSSCP deliver?": a sentence counting that thing ("eight training
# sessions have been delivered"), not one about the training programme with its years.
_HOW_MANY_NOUN = re.compile(r"\bhow many\s+((?:[a-z'-]+\s+){0,4}?)([a-z'-]+)\s+(?:did|do|does|were|was|are|is|have|has|had"
                            r"|went|came|got|took|in|on|at|for|from|during|by|per|each)\b", re.I)
_COUNT = rf"(?:\d[\d,.]*|{NUMBER_WORD.pattern})"
_HOW_LONG = re.compile(r"\bhow long\b|\bfor how many (?:years|months)\b", re.I)
_SPAN = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (?:years?|months?|weeks?|days?)\b",
                   re.I)  # "after seven years carrying out the role"
_DAY = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:january|february|march|april|may|june|july|august|september"
                  r"|october|november|december)\b|\b(?:january|february|march|april|may|june|july|august|september"
                  r"|october|november|december)\s+(?:19|20)\d\d\b|\b(?:monday|tuesday|wednesday|thursday|friday)\b",
                  re.I)  # "27th March", "June 2026"
# "What review methodology was used ...", "which model was it carried out under": the noun after
# "what"/"which" names the kind of thing asked for.
_ASKED_NOUN = re.compile(r"^\s*(?:and\s+)?(?:what|which)\s+(?:[a-z-]+\s+){0,3}?([a-z-]+)\s+(?:was|were|is|are|does|do|did"
                         r"|has|have|had|can|could|should|will|would)\b", re.I)
# "child m lcspr methodology": a search-box fragment (no question word) ending in the kind of
# section it wants.
_TERSE_NOUN = re.compile(r"^[\w' -]{0,60}?\b(methodology|method|approach|model|purpose|aims|objectives|vision|priorities"
                         r"|membership|structure|findings|recommendations|outcomes)\s*[?.]?\s*$", re.I)
_NOT_ASKED_NOUNS = frozenset(tokenize("kind kinds type types sort sorts one ones time times year years date dates day days "
                                      "number numbers percentage proportion amount thing things"))


def asked_noun(question: str) -> str:
    """The stem of the kind of thing a "what/which <noun> ..." question asks for, or ""."""
    m = _ASKED_NOUN.match(question) or (None if QUESTION_START.match(question) else _TERSE_NOUN.match(question))
    stem = (tokenize(m.group(1)) or [""])[0] if m else ""
    return "" if stem in _NOT_ASKED_NOUNS or stem in FILLER_STEMS else stem


_AGE = re.compile(r"\b(under|over|aged?|below|above)[\s-]*(\d+)s?\b", re.I)


@dataclass(frozen=True)
class AnswerSettings:
    """Thresholds calibrated for the shipped model on the project's question sets."""

    found_dense: float = 0.45
    found_dense_low: float = 0.30
    covered_allowance: float = 0.10  # how much lower a passage holding every topic word may be
    found_dense_high: float = 0.75
    max_uncovered_share: float = 0.6
    max_unknown_share: float = 0.34
    max_sentences: int = 4
    passages_used: int = 3
    keep_within: float = 0.10
    sentence_discount: float = 0.20  # a sentence is shorter than a passage, so it scores higher


@dataclass(frozen=True)
class Unit:
    """A sentence or list item of a passage, in reading order."""

    hit: int
    position: int
    text: str
    intro: str = ""  # the line introducing a list item or table row (see passage_units_with_intros)


def passage_units(text: str) -> list[str]:
    """Sentences and list items, as they stand in the passage (only trimmed)."""
    return [unit for unit, _ in passage_units_with_intros(text)]


def coverage(query_terms: set[str], text: str) -> float:
    """Share of the question's terms that the text contains."""
    if not query_terms:
        return 0.0
    return len(query_terms & set(tokenize(text))) / len(query_terms)


def _evidence_text(h: Hit) -> str:
    """What a passage offers as evidence: its title, section and date count with its text."""
    return " ".join((h.document.title, h.section, h.document.date or "", h.chunk.text))


def _context(h: Hit) -> str:
    """Where a passage is filed: its document's title and its section."""
    return f"{h.document.title} {h.section}"


def _similar(a: str, b: str, threshold: float = 0.7) -> bool:
    sa, sb = set(tokenize(a)), set(tokenize(b))
    return len(sa & sb) / max(1, len(sa | sb)) >= threshold


class _PassageGaps:
    """`evidence_gaps` of each retrieved passage for one question, computed at most once: the
    found check and the choice of sentences both read them.

    A passage that continues a section another retrieved passage opens is about that passage's
    years too: "The second KLOE ... was completed in September 2020" belongs to "deep dives ...
    during 2019-20" a chunk earlier, under the same heading."""

    def __init__(self, query: Query, vocab: Mapping[str, int] | None, hits: Sequence[Hit] = ()) -> None:
        self.query = query
        self.vocab = vocab
        self.hits = hits
        self._done: dict[str, Gaps] = {}

    def __call__(self, h: Hit) -> Gaps:
        key = h.chunk.chunk_id
        if key not in self._done:
            section_years = sorted({y for o in self.hits if o.chunk.chunk_id != key
                                    and o.document.source == h.document.source
                                    and o.chunk.heading_path == h.chunk.heading_path for y in years_in(o.chunk.text)})
            evidence = " ".join((_evidence_text(h), *section_years))
            self._done[key] = evidence_gaps(self.query, evidence, self.vocab, _context(h), h.chunk.text, h.section)
        return self._done[key]


def _asked_form(asked: str) -> Callable[[str], float]:
    """A bonus for a sentence in the form the question asks for: "the second one" -> the sentence
    saying "second", "how often" -> a frequency, "how long" -> a span, "when" -> a day ("27th
    March"), "over 65s" -> that age, "what percentage" -> a share, "any coming up" -> something still
    to happen, "what did people say" -> a quoted remark, "how do I book" -> the action (bookings), "how
    many training sessions" -> a count of them,
    "where do I find" -> a web address (each kind of evidence.ASKED_KINDS)."""
    ordinals = {m.lower() for m in _ORDINAL.findall(asked)}
    ages = {(a.lower().rstrip("d"), n) for a, n in _AGE.findall(asked)}
    forms = [shape for asks, shape in ((_HOW_OFTEN, _FREQUENCY), (_HOW_LONG, _SPAN), (WHEN_ASKED, _DAY),
                                                 (_WEBSITE_Q, WEB), (SHARE_Q, SHARE), (_COMING_Q, _FUTURE),
                                                 (_SAID_Q, _QUOTED))
             if asks.search(asked)]
    # "where do I find them" -> the web address (counted once when "website" asked for it too)
    forms += [shape for _, asks, shape in ASKED_KINDS if asks.search(asked) and shape not in forms]

    action = _HOW_DO_I.search(asked)
    stem = next(iter(tokenize(action.group(1))), "") if action else ""
    if stem and stem not in _LIGHT_VERBS:
        forms.append(re.compile(rf"\b{re.escape(stem)}\w*", re.I))
    # "how many training sessions ...": a count of sessions; when the question says what kind
    # ("online safeguarding courses"), with a word of that kind ("two courses have been observed" no)
    counted = _HOW_MANY_NOUN.search(asked)
    head = next(iter(tokenize(counted.group(2))), "") if counted else ""
    head = "" if head in WHO_IS_COUNTED else head  # "how many children ...": every figure counts children
    kind = set(tokenize(counted.group(1))) - FILLER_STEMS if counted else set()
    counts = re.compile(rf"\b{_COUNT}\s+(?:[\w'-]+\s+){{0,2}}{re.escape(head)}\w*", re.I) if head else None
    listed = bool(_MEMBERS_Q.match(asked))

    def bonus(text: str) -> float:
        hits = sum(1 for shape in forms if shape.search(text)) + (listed and bool(_LIST_ITEM.match(text)))
        hits += bool(ordinals & {m.lower() for m in _ORDINAL.findall(text)})
        hits += bool(ages & {(a.lower().rstrip("d"), n) for a, n in _AGE.findall(text)})
        hits += bool(counts and counts.search(text) and (not kind or kind & set(tokenize(text))))
        return FORM_BONUS * hits

    return bonus


def alternatives(asked: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """The two things an either-or question sets side by side, as stems ("face", "online"), or None."""
    m = _EITHER_OR.search(asked)
    if not m:
        return None
    left, right = (frozenset(tokenize(m.group(side))) - FILLER_STEMS for side in ("left", "right"))
    return (left, right) if left and right and not left & right else None


def _best_address(units: Sequence[Unit], candidates: Sequence[int], scores: Sequence[float], floor: float) -> int | None:
    """The best-scoring candidate unit giving a web address, scoring at least `floor`; None if none."""
    linked = [i for i in candidates if WEB.search(units[i].text) and scores[i] >= floor]
    return max(linked, key=lambda i: scores[i]) if linked else None


def _named_in(own: set[str], expanded: set[str], toks: set[str], section: frozenset[str] | set[str] = frozenset()) -> int:
    """How much a sentence is about the question's subject: its words of the question (the
    section's counting too), and one more for any of the question's expansions in the sentence."""
    return len(own & (toks | section)) + bool(expanded & toks)


class Composer:
    """Builds answers; keeps a cache of sentence embeddings across questions."""

    def __init__(self, embedder: Embedder, settings: AnswerSettings = AnswerSettings()) -> None:
        self.embedder = embedder
        self.settings = settings
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def _embed_units(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for t, v in zip(missing, self.embedder.embed(missing)):
                self._cache[t] = v
            while len(self._cache) > SENTENCE_CACHE:
                self._cache.popitem(last=False)
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, self.embedder.dim))

    def rerank(self, qvec: np.ndarray, hits: list[Hit], rank_weight: float = 0.4, question: str = "",
               idf: Callable[[str], float] = lambda term: 1.0) -> list[Hit]:
        """Reorder retrieved passages by their best single sentence's closeness to the question.

        A whole-passage vector blurs a specific fact (one figure in a list of twenty); the
        best sentence does not. The retrieval rank still counts, as a prior, and so do a
        passage's section headings naming the question's words ("Local Child Safeguarding
        Practice Review - Child M > Review Methodology" for "what methodology was used for the
        Child M review"): its sentences need not repeat them. (The section's every heading, not
        only the last, measured side by side: MRR practitioner 0.891 -> 0.896, blind3, 5 and 7 up
        0.001-0.002, nothing down.)
        """
        if len(hits) < 2:
            return hits
        terms = set(tokenize(question)) - FILLER_STEMS
        total = sum(idf(t) for t in terms) or 1.0
        best = []
        for i, h in enumerate(hits):
            sim = self._best_sentence(h, qvec)
            heading = set(tokenize(" ".join(h.chunk.heading_path[1:])))  # the section, below the document's own heading
            named = sum(idf(t) for t in terms & heading) / total
            best.append((h.dense_score if sim is None else sim) + rank_weight / (i + 1) + HEADING_RERANK * named)
        order = sorted(range(len(hits)), key=lambda i: -best[i])
        return [hits[i] for i in order]

    def _best_sentence(self, hit: Hit, qvec: np.ndarray) -> float | None:
        """Similarity of the passage's closest sentence to the question (None: no sentences).

        Sentence vectors come from the composer's cache, so rerank, the found check and
        sentence selection embed each sentence once.
        """
        units = passage_units(hit.chunk.text)
        return float(np.max(self._embed_units(units) @ qvec)) if units else None

    def is_found(self, query: Query, hits: list[Hit], vocab: Mapping[str, int] | None,
                 qvec: np.ndarray, gaps: _PassageGaps | None = None) -> bool:
        """True when one of the best passages is close in meaning and has what the question names.

        Closeness is the passage's similarity or, if higher, its best sentence's or its own
        heading's (discounted: a short sentence scores higher than a whole passage), so one exact
        sentence in a long passage about something broader still counts, and so does the foreword
        for "who wrote the foreword?" though none of its sentences is close to that. A passage
        qualifies when it is close enough to the question and contains every year, named review
        and specific term the question asks about (see `evidence_gaps`); a passage that misses
        most of the question's topic words needs a closer match. "Where is the concealed
        pregnancy procedure?": a passage saying it "can be found on the Tees Procedures website"
        gives where, when another of the passages read gives the address.
        """
        gaps = gaps or _PassageGaps(query, vocab, hits)
        address_read = any(WEB.search(h.chunk.text) for h in hits[:3])
        return any(self._qualifies(query, h, qvec, gaps, address_read) for h in hits[:3])

    def _qualifies(self, query: Query, h: Hit, qvec: np.ndarray, passage_gaps: _PassageGaps,
                   address_read: bool = False) -> bool:
        """One passage, judged as `is_found` describes."""
        s = self.settings
        if spells_out(query.text, h.chunk.text):
            return True  # "what does PMF mean?" and the passage spells PMF out
        sentence = self._best_sentence(h, qvec)
        if len(h.chunk.heading_path) > 1:  # the passage's own heading: "Foreword by the Independent Chair"
            heading = float(self._embed_units([h.chunk.heading_path[-1]])[0] @ qvec)  # for "who wrote the foreword?"
            sentence = heading if sentence is None else max(sentence, heading)
        close = h.dense_score if sentence is None else max(h.dense_score, sentence - s.sentence_discount)
        if close < s.found_dense_low - s.covered_allowance:
            return False
        gaps = passage_gaps(h)
        says_where = address_read and gaps.hard == ("a web address",) and bool(_SAID_WHERE.search(h.chunk.text))
        if gaps.hard and not says_where:
            return False
        if close < s.found_dense_low and gaps.uncovered_share > 0:
            return False  # only a passage with every topic word of the question may be this far in meaning
        if gaps.uncovered_share > s.max_uncovered_share and close < s.found_dense:
            return False
        # Words the whole index has never seen: the topic is not covered.
        return not (gaps.unknown_share >= s.max_unknown_share and close < s.found_dense_high)

    def _score_units(self, query: Query, qvec: np.ndarray, hits: list[Hit], units: list[Unit],
                     idf: Callable[[str], float]) -> list[float]:
        """Meaning + the question's words (headings count half; the passage's own heading and an
        item's introducing line in full) + the form asked for - a little per citation rank."""
        # A list item or table row means what its introducing line says it lists.
        vecs = self._embed_units([f"{u.intro} {u.text}" if u.intro else u.text for u in units])
        asked, earlier = split_follow_up(query.text)
        own = set(tokenize(asked))
        expanded = (set(tokenize(" ".join((*query.expansions, earlier)))) - own)
        if earlier:  # "who's dealing with the recommendations? (what was the audit about)": the question leads
            qvec = qvec + self._embed_units([asked])[0]
            qvec = qvec / max(float(np.linalg.norm(qvec)), 1e-9)
        numeric = bool(NUMERIC_Q.search(query.text))
        asks_contact = bool(asked_kinds(query.text)) or bool(CONTACT_Q.search(query.text))
        when = bool(WHEN_Q.search(query.text))  # a date answers it; elsewhere a year alone counts nothing
        heading_toks = [set(tokenize(" ".join((h.document.title, *h.chunk.heading_path)))) for h in hits]
        # The passage's own heading ("Review Methodology") says what every sentence under it is about.
        own_heading = [set(tokenize(h.chunk.heading_path[-1])) if len(h.chunk.heading_path) > 1 else set() for h in hits]
        weight = {t: idf(t) for t in own | expanded}
        denom = max(1e-6, sum(weight[t] for t in own) + 0.5 * sum(weight[t] for t in expanded))
        form_bonus = _asked_form(asked)
        places = places_in(query.text)
        where = [places_in(f"{h.section} {h.chunk.text}") for h in hits]
        place_clash = [bool(places) and bool(w) and not (places & w) for w in where]
        # "What methodology was used?": under the heading "Review Methodology" the first sentence
        # says which ("carried out using a 'systems approach' via an Appreciative Inquiry model"),
        # without naming the noun itself (a sentence that names it has the word's weight already).
        noun = asked_noun(asked)
        noun_heading = [bool(noun) and noun in heading for heading in own_heading]
        how_often = bool(_HOW_OFTEN.search(asked))
        own_topic = own - FILLER_STEMS - _HOW_OFTEN_STEMS
        about: dict[int, int] = {}  # a frequency's index -> how much it is about the subject
        dates = [h.document.date or "" for h in hits]
        newest = max(dates) if _NOW.search(asked) and not YEAR.search(asked) and len(set(dates)) > 1 else None
        scores = []
        phrases = everyday_phrases(asked)
        either_or = alternatives(asked)
        for n, (u, v) in enumerate(zip(units, vecs)):
            raw = set(tokenize(u.text))
            if how_often and _FREQUENCY.search(u.text):
                about[n] = _named_in(own_topic, expanded, raw)
            toks = as_meant(raw, u.text, phrases)
            introduced = set(tokenize(u.intro)) - toks  # "Finance 2020 - 21" says what "Income | 296,687" is for
            context = heading_toks[u.hit] - toks - introduced
            lex = (sum(weight[t] for t in own & toks) + 0.5 * sum(weight[t] for t in own & context)
                   + HEADING_EXTRA * sum(weight[t] for t in own & (own_heading[u.hit] - toks))
                   + INTRO_WEIGHT * sum(weight[t] for t in own & introduced)
                   + 0.5 * sum(weight[t] for t in expanded & toks)) / denom
            score = float(np.dot(qvec, v)) + 0.35 * lex - 0.06 * u.hit - 0.15 * place_clash[u.hit]
            score += form_bonus(u.text)
            if newest and dates[u.hit] == newest:
                score += NOW_BONUS
            if either_or and all(side & toks for side in either_or):
                score += FORM_BONUS
            if noun_heading[u.hit] and u.position == 0 and noun not in raw:
                score += NOUN_LEAD
            if used_otherwise(raw, u.text, phrases):
                score -= FALSE_FRIEND  # "Education, Health and Care" is not "in care"
            if numeric and (re.search(r"\d", u.text) if when else counts_something(u.text)):
                score += 0.08
            if contact_block(u.text) and not asks_contact:
                score -= 0.3  # an address and phone line answers "how do I contact them", nothing else
            scores.append(score)
        # "how often do the exec meet": the frequency of the subject, not the Engine Room's "every 6
        # weeks" beside it; only the frequencies most about the subject keep the bonus.
        most = max(about.values(), default=0)
        for i, named in about.items():
            if named < most:
                scores[i] -= FORM_BONUS
        return scores

    def select(self, query: Query, qvec: np.ndarray, hits: list[Hit], idf: Callable[[str], float],
               vocab: Mapping[str, int] | None = None, gaps: _PassageGaps | None = None) -> list[Unit]:
        """The answering sentences: the best one with its neighbours, then corroboration.

        A passage that lacks a year, named review or specific term the question asks for is
        not quoted when another of the best passages has it: asked about 2019-20, the answer
        does not quote the 2020-21 figures.
        """
        used = hits[: self.settings.passages_used]
        gaps = gaps or _PassageGaps(query, vocab, hits)
        gapped = [bool(gaps(h).hard) for h in used]
        quotable = [i for i in range(len(used)) if not gapped[i]] or list(range(len(used)))
        # "What methodology was used for the Child M LCSPR?": a passage that never says methodology
        # (in its text or headings) is about the review, not its method, when another one says it.
        noun = asked_noun(split_follow_up(query.text)[0])
        if noun:
            naming = [i for i in quotable if noun in set(tokenize(" ".join((*used[i].chunk.heading_path, used[i].chunk.text))))]
            quotable = naming or quotable
        units = [Unit(i, p, t, intro) for i in quotable
                 for p, (t, intro) in enumerate(passage_units_with_intros(used[i].chunk.text))]
        if not units:
            return []
        scores = self._score_units(query, qvec, hits, units, idf)
        by_key = {(u.hit, u.position): (u, sc) for u, sc in zip(units, scores)}
        # A short line can still be the fact: a number, or a web address standing on its own line.
        informative = [i for i, u in enumerate(units)
                       if len(u.text.split()) >= 4 or re.search(r"\d", u.text) or WEB.search(u.text)]
        if not informative:
            return []
        anchor_i = max(informative, key=lambda i: scores[i])
        where_asked = "a web address" in asked_kinds(query.text)  # "where can I find them?"
        if where_asked and not WEB.search(units[anchor_i].text):
            # "where can I find them?": the address itself leads when it is about as close
            address = _best_address(units, informative, scores, scores[anchor_i] - ADDRESS_LEADS_WITHIN)
            anchor_i = anchor_i if address is None else address
        anchor, best = units[anchor_i], scores[anchor_i]
        chosen = [anchor]
        asked = split_follow_up(query.text)[0]
        one_fact = bool(_HOW_OFTEN.search(asked) or _HOW_LONG.search(asked))
        prev = by_key.get((anchor.hit, anchor.position - 1))
        sibling_items = prev is not None and bool(_LIST_ITEM.match(prev[0].text)) and bool(_LIST_ITEM.match(anchor.text))
        if prev and prev[1] >= best - (0.3 if sibling_items else 0.15) and not prev[0].text.rstrip().endswith(":"):
            chosen.append(prev[0])
        for step in (1, 2):
            # The sentence after the best one usually carries the substance ("... took place in
            # December." -> "Good practice highlighted at the audit included ..."): keep it.
            nxt = by_key.get((anchor.hit, anchor.position + step))
            if not nxt or anchor.text.rstrip().endswith(":") or _LINK_LINE.match(anchor.text) \
                    or (step == 2 and nxt[1] < best - 0.3):  # an address alone on its line ends what it belongs to
                break
            if step == 1 and _LIST_ITEM.match(nxt[0].text) and not _LIST_ITEM.match(anchor.text):
                break
            chosen.append(nxt[0])
        chosen = [u for n, u in enumerate(chosen) if not any(_similar(u.text, c.text) for c in chosen[:n])]
        # Corroboration, when it is about as good and says something new: the best sentence of
        # another passage, and a non-adjacent one of the same passage ("- All Partnership
        # meetings continued virtually" three lines below the sentence about Covid).
        taken = {(u.hit, u.position) for u in chosen}
        others = sorted((i for i in informative if units[i].hit != anchor.hit), key=lambda i: -scores[i])
        # An address alone on its line is the whole answer its passage gives ("where can I find them?"):
        # the passage's other lines are about something else (what else was updated this quarter).
        after = by_key.get((anchor.hit, anchor.position + 1))
        addressed = _LINK_LINE.match(anchor.text) or (where_asked and after is not None
                                                      and _LINK_LINE.match(after[0].text))  # "... published on:"
        same = [] if addressed else \
            sorted((i for i in informative if units[i].hit == anchor.hit
                    and (units[i].hit, units[i].position) not in taken), key=lambda i: -scores[i])
        for i in others[:1] + same[:1]:
            if scores[i] >= best - self.settings.keep_within and not any(_similar(units[i].text, c.text) for c in chosen):
                chosen.append(units[i])
        chosen = chosen[: self.settings.max_sentences]
        said_where = self._said_where(query, used, gapped, chosen) if where_asked else None
        if said_where:
            chosen.append(said_where)  # beside the address, not instead of it
        if (_WEBSITE_Q.search(asked) or said_where) and not any(WEB.search(u.text) for u in chosen):
            # "tees procedures website": the address itself is the answer when a passage read gives
            # one about as close; beside a sentence saying where ("... can be found on the Tees
            # Procedures website"), the address the passages give, however it scores.
            address = _best_address(units, informative, scores, -np.inf if said_where else best - WEBSITE_WITHIN)
            if address is not None:
                chosen.append(units[address])
        if WHO_Q.match(asked) and not any(names_a_person(u.text) for u in chosen):
            # "Who wrote the foreword?": when no quoted sentence names anyone, the line naming a person
            # in the best sentence's section (a signature: "Dave Pickard HSSCP Independent Chair") too.
            section = used[anchor.hit].chunk.heading_path  # the same section: its signature, not another's
            naming = [i for i in range(len(units)) if names_a_person(units[i].text)
                      and used[units[i].hit].chunk.heading_path == section]
            if naming:
                chosen.append(units[max(naming, key=lambda i: scores[i])])
        if one_fact:  # "how often do they meet?": "bi-monthly", not the list of what they do ("The Executive:")
            chosen = [replace(u, text=_LIST_LEAD_IN.sub("", u.text)) for u in chosen]
        else:
            chosen = self._with_list_items(chosen, units)
        chosen = self._with_intros(chosen, units)
        return sorted(chosen, key=lambda u: (u.hit, u.position))

    @staticmethod
    def _said_where(query: Query, used: list[Hit], gapped: list[bool], chosen: list[Unit]) -> Unit | None:
        """"Where can I find them? (what new guidance came out of the Eve SCR)": the sentence saying
        where the named thing is ("... arising from the Eve SCR and can be found on the Tees
        Procedures website"), from a passage that names it but gives no address, beside the address.
        Asked only of a question asking where (a web address).
        """
        names = [n.lower() for n in _NAMED.findall(query.text[1:])]
        # what the question names: its capitalised names ("Eve SCR"), else its own topic words
        topic = set() if names else set(tokenize(split_follow_up(query.text)[0])) - FILLER_STEMS - _WHERE_STEMS
        if not names and not topic:
            return None
        taken = {(u.hit, u.position) for u in chosen}
        for i, h in enumerate(used):
            if not gapped[i] or not all(n in h.chunk.text.lower() for n in names) \
                    or not topic <= set(tokenize(h.chunk.text)):
                continue
            for p, (text, intro) in enumerate(passage_units_with_intros(h.chunk.text)):
                if _SAID_WHERE.search(text) and (i, p) not in taken:
                    return Unit(i, p, text, intro)
        return None

    @staticmethod
    def _with_intros(chosen: list[Unit], units: list[Unit]) -> list[Unit]:
        """A chosen list item brings the sentence that introduces it ("... in accordance with Working
        Together 2018:", "Throughout 2020-21 there were approximately:"), which says what it lists
        (not a bare "Which equates to:", which says nothing), and with it the rest of a short list. A
        web address on its own line brings the line that introduces it, which says what it is."""
        keys = {(u.hit, u.position) for u in chosen}
        by_text = {(u.hit, u.text): u for u in units}
        by_place = {(u.hit, u.position): u for u in units}
        extra = []
        for u in chosen:
            before = by_place.get((u.hit, u.position - 1))
            if _LINK_LINE.match(u.text) and before is not None and before.text.rstrip().endswith(":") \
                    and (before.hit, before.position) not in keys:  # "... which are published on:" then the address
                extra.append(before)
                keys.add((before.hit, before.position))
            if not _LIST_ITEM.match(u.text):
                continue
            found = by_text.get((u.hit, u.intro))
            if found is not None and (found.hit, found.position) not in keys and len(u.intro.split()) >= 5:
                extra.append(found)
                keys.add((found.hit, found.position))
                # A short list is quoted whole under its introduction: "Professionals should seek to:"
                # above only its last four items would read as if those were all of them.
                siblings = [x for x in units if x.hit == u.hit and x.intro == u.intro]
                if len(siblings) <= MAX_WHOLE_LIST:
                    extra.extend(x for x in siblings if (x.hit, x.position) not in keys)
                    keys.update((x.hit, x.position) for x in siblings)
        return chosen + extra

    def _with_list_items(self, chosen: list[Unit], units: list[Unit]) -> list[Unit]:
        """A chosen sentence that introduces a list brings its items (up to eight) along, one that
        introduces a link ("published on:" then the address) brings the link, and a table's first
        row brings its rows."""
        extra: list[Unit] = []
        keys = {(u.hit, u.position) for u in chosen}
        for u in chosen:
            # a table's first row ("Finance 2020 - 21 | £") brings its rows
            rows = [x for x in units if x.hit == u.hit and x.intro == u.text and (x.hit, x.position) not in keys
                    and not _LIST_ITEM.match(x.text)][:8]
            extra.extend(rows)
            keys.update((x.hit, x.position) for x in rows)
            if u.text.rstrip().endswith(":"):
                items = [x for x in units if x.hit == u.hit and x.position > u.position]
                if items and _LINK_LINE.match(items[0].text) and (items[0].hit, items[0].position) not in keys:
                    extra.append(items[0])
                    keys.add((items[0].hit, items[0].position))
                    continue
                taken = 0
                for x in items:
                    label = x.text.rstrip().endswith(":") and len(x.text.split()) <= 5
                    if taken >= 8 or not (_LIST_ITEM.match(x.text) or label):
                        break
                    if (x.hit, x.position) not in keys:
                        extra.append(x)
                        keys.add((x.hit, x.position))
                    taken += 1
        return chosen + extra

    def _what_is_missing(self, query: Query, hits: list[Hit]) -> str:
        """Why a decline, when it is plain: the kind of fact asked for, or a review's findings,
        is in none of the closest passages ("None of the closest passages gives a phone number.")."""
        used = hits[: self.settings.passages_used]
        texts = [_evidence_text(h) for h in used]
        if not texts:
            return ""
        kinds = [k for k in missing_kinds(query.text, texts[0]) if all(k in missing_kinds(query.text, t) for t in texts[1:])]
        if kinds:
            return f" None of the closest passages gives {' or '.join(kinds)}."
        if all(missing_findings(query.text, h.chunk.text, _context(h)) for h in used):
            return " None of the closest passages says what was found or recommended."
        if all(missing_date(query.text, h.chunk.text, _context(h)) for h in used):
            return " None of the closest passages gives a date for it."
        if all(missing_rating(query.text, h.chunk.text) for h in used):
            return " None of the closest passages gives a rating for it."
        contents = {missing_contents(query.text, h.chunk.text, _context(h)) for h in used}
        if len(contents) == 1 and "" not in contents:
            return f" None of the closest passages says {contents.pop()}."
        if all(missing_name(query.text, h.chunk.text) for h in used):
            return " None of the closest passages gives its name."
        people = {missing_person(query.text, h.chunk.text) for h in used}
        if people == {"a name"}:
            return " None of the closest passages names the person."
        if people == {"who chairs it"}:
            return " None of the closest passages says who chairs it."
        if people == {"who heads it"}:
            return " None of the closest passages says who heads it."
        if all(missing_attendance(query.text, h.chunk.text) for h in used):
            return " None of the closest passages says how many attended."
        if all(missing_earlier_year(query.text, h.chunk.text) for h in used):
            return " None of the closest passages gives a figure for the year before."
        places = {missing_place(query.text, h.chunk.text, h.section) for h in used}
        if len(places) == 1 and "" not in places:
            return f" The closest passages give these figures for other areas, not {places.pop()}."
        if all(missing_breakdown(query.text, h.chunk.text, _context(h)) for h in used):
            return f" None of the closest passages gives a figure for \"{breakdown_asked(query.text)}\"."
        if all(missing_topic_figure(query.text, h.chunk.text, _context(h)) for h in used):
            return f" None of the closest passages gives a figure for \"{' '.join(topic_words(query.text))}\"."
        return ""

    def promote(self, query: Query, hits: list[Hit], further: list[Hit], vocab: Mapping[str, int] | None = None) -> list[Hit]:
        """`hits`, with one passage put first when none of those the answer reads gives the kind
        of fact asked (a name for "who was the head of the partnership", a postcode, a phone
        number): the first of the rest (`hits` after them, then `further`) that gives it, lacks
        nothing else the question asks for and names what the question names ("the EMMA LCSPR",
        not another review's reviewer). Retrieval ranks by topic, and the chair's signature sits
        a few places down. The promoted passage must still pass the found check, and nothing is
        promoted that the checks would not accept, so what is declined for want of a name stays
        declined."""
        gaps = _PassageGaps(query, vocab, hits + further)
        used = hits[: self.settings.passages_used]
        if not used or not further:
            return hits
        wanted = set.intersection(*(set(gaps(h).hard) for h in used)) & SOUGHT_KINDS
        if not wanted:
            return self._promote_form(query, hits, further, gaps)
        names = _NAMED.findall(split_follow_up(query.text)[0][1:])  # not the first word: "Who", "What"
        for h in [*hits[len(used):], *further]:
            evidence = _evidence_text(h).lower()
            if not gaps(h).hard and all(n.lower() in evidence for n in names):  # the kind, and what is named
                rest = [o for o in hits if o is not h]
                return [h, *rest[: max(len(hits), len(used) + 1) - 1]]
        return hits

    def _promote_form(self, query: Query, hits: list[Hit], further: list[Hit], gaps: _PassageGaps) -> list[Hit]:
        """"How often does the exec meet?", "how many under 18s live in Stockton?", "any conference
        coming up?": when a further passage has the form asked for (a frequency, the age named,
        something still to happen) in a sentence more about the subject than any such sentence of
        the passages the answer reads (the Engine Room's "every 6 weeks" is another group's), it is
        read first ("The Executive meet formally bi-monthly", "43,848 children & young people under
        18", "will take place on 18th March 2026"). About: the question's words in the sentence
        (a list item read with its introduction, under its section), its expansions ("executive" for "exec")
        in the sentence itself counting as one more; at least half of them, and the place the question names."""
        asked = split_follow_up(query.text)[0]
        ages = {(a.lower().rstrip("d"), n) for a, n in _AGE.findall(asked)}
        if _HOW_OFTEN.search(asked):
            def shaped(sentence: str) -> bool:
                return bool(_FREQUENCY.search(sentence))
        elif ages:
            def shaped(sentence: str) -> bool:
                return bool(ages & {(a.lower().rstrip("d"), n) for a, n in _AGE.findall(sentence)})
        elif _COMING_Q.search(asked):
            def shaped(sentence: str) -> bool:
                return bool(_FUTURE.search(sentence))
        else:
            return hits
        own = set(tokenize(query.text)) - FILLER_STEMS - _HOW_OFTEN_STEMS
        expanded = set(tokenize(" ".join(query.expansions))) - own
        places = places_in(query.text)
        if not own:
            return hits

        def about(h: Hit) -> int:
            if places and not places & places_in(f"{h.section} {h.chunk.text}"):
                return 0
            section = set(tokenize(h.section))
            named = [_named_in(own, expanded, toks, section) for text, intro in passage_units_with_intros(h.chunk.text)
                     if shaped(text) for toks in [set(tokenize(f"{intro} {text}"))]]
            return max(named, default=0)

        used = hits[: self.settings.passages_used]
        bar = max(about(h) for h in used)
        for h in [*hits[len(used):], *further]:
            named = about(h)
            if named > bar and 2 * named >= len(own) and not gaps(h).hard:
                rest = [o for o in hits if o is not h]
                return [h, *rest[: max(len(hits), len(used) + 1) - 1]]
        return hits

    def compose(self, question: str, query: Query, qvec: np.ndarray, hits: list[Hit],
                idf: Callable[[str], float] = lambda term: 1.0, vocab: Mapping[str, int] | None = None) -> Answer:
        """The answer to `question`; `idf` weighs the question's words by how telling they are."""
        gaps = _PassageGaps(query, vocab, hits)  # the found check and the sentence choice read the same gaps
        if not self.is_found(query, hits, vocab, qvec, gaps):
            return Answer(question=question, found=False, answer=NOT_FOUND + self._what_is_missing(query, hits), hits=tuple(hits),
                          resolved_question=query.text, highlights=tuple(() for _ in hits))
        # Cited first, the passages that have everything the question names (its year, the kind of
        # fact it asks for, a named review): a passage missing one answers something nearby. The
        # found check above reads the retrieval order, so what is declined does not change.
        hits = sorted(hits, key=lambda h: bool(gaps(h).hard))
        chosen = self.select(query, qvec, hits, idf, vocab, gaps)
        # The quoted passages are the first citations, so the answer's markers start at [1] and
        # the passages it does not quote follow as further reading.
        quoted = sorted({u.hit for u in chosen})
        order = quoted + [i for i in range(len(hits)) if i not in quoted]
        hits = [hits[i] for i in order]
        chosen = [replace(u, hit=order.index(u.hit)) for u in chosen]
        lines: list[str] = []
        for u in chosen:
            text = u.text.strip()
            marker = f"[{u.hit + 1}]"
            if _LIST_ITEM.match(text) or _QUOTED.match(text):  # a list item or a quoted remark: its own line
                lines.append(f"{text} {marker}")
            elif lines and not _LIST_ITEM.match(lines[-1]) and not _QUOTED.match(lines[-1]) and not lines[-1].endswith(":"):
                lines[-1] = f"{lines[-1]} {text} {marker}"
            else:
                lines.append(f"{text} {marker}")
        highlights = tuple(tuple(u.text for u in chosen if u.hit == i) for i in range(len(hits)))
        return Answer(question=question, found=True, answer="\n".join(lines), hits=tuple(hits),
                      resolved_question=query.text, highlights=highlights)
