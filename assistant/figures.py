"""Figure questions: the figure must be for what the question counts, for whom, and where.

"How many of those were boys?" is not answered by the overall count, "how much did Cleveland
Police pay?" not by the partnership's total income, and Stockton's figure not by Hartlepool's.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.followup import split_follow_up
from assistant.places import AREA_WORDS, AREAS, areas_in
from assistant.sentences import (FILLER, FILLER_STEMS, WORD_RE, YEAR, counts_something, expansion_covered,
                                 glossary, governed_sentences, passage_sentences, sentence_pairs, wanted_year,
                                 years_in)
from index.text import NUMBER_WORDS, tokenize

# "How many of those were boys?" asks for a breakdown: the figure must be given for what follows
# "were" (boys, under 5, the neglect category), in the sentence that gives it or the next one.
# A passage with the overall figure does not answer, however close it is.
_COUNT_ASKED = re.compile(r"\b(?:how many|what (?:proportion|percentage|share|percent|number))\b", re.I)
_BREAKDOWN_Q = re.compile(r"(?P<counted>[^?()]*?)\b(?:were|was|are|is|got)\s+(?P<qualifier>[^?()]+)", re.I)
_PAYER_Q = re.compile(r"\bhow much (?:money )?(?:does|did|do|has|have)(?P<counted>)\s+(?P<qualifier>[^?()]+?)\s+"
                      r"(?:pay|paid|contribute[sd]?|put|give|gave|fund|funded)\b", re.I)
_BY_Q = re.compile(r"\b(?:breakdown|broken down|split|analysis)(?P<counted>)\s+(?:of\s+[^?()]*?\s+)?by\s+(?P<qualifier>[^?()]+)",
                   re.I)
_NAMED_BREAKDOWN_Q = re.compile(r"(?P<counted>)(?P<qualifier>\b[A-Za-z]+)\s+(?:breakdown|split)\b", re.I)  # "ethnicity breakdown"
WHO_IS_COUNTED = frozenset(tokenize("kid kids children child young people youngsters"))  # implied by "how many"
_NOT_QUALIFIER = frozenset(tokenize("""how many much number proportion percentage percent share there they them those these
    overall around total altogether etc category categories type types""")) | FILLER | FILLER_STEMS | WHO_IS_COUNTED
# Where children were, not what they were counted by: "kids in the house during incidents" are
# the children present at them.
_AT_HOME = re.compile(r"\b(?:at home|in the (?:house|home|household))\b", re.I)
# Where a figure comes from is not what it counts by: "were SEND according to the January 2021 census".
_SOURCE_CITED = re.compile(r"\b(?:according to|based on|as per|as of|in the latest)\b.*$", re.I)
_PARTICIPLES = frozenset("""thought seen known said put taken given found sent made held run done kept brought got
    spent paid shown told left""".split())  # "were thought to be at risk", "were sent out"


def _breakdown(question: str) -> re.Match[str] | None:
    """The last "how many ... were <qualifier>" clause of the question itself (a resolved
    follow-up's earlier question, in brackets at the end, is not asked again)."""
    own = split_follow_up(question)[0]
    starts = [m.end() for m in _COUNT_ASKED.finditer(own)]
    m = _BREAKDOWN_Q.match(own, starts[-1]) if starts else None
    if m is None:  # "how much did Cleveland Police pay": a figure for that payer; "broken down by category"
        return _PAYER_Q.search(own) or _BY_Q.search(own) or _NAMED_BREAKDOWN_Q.search(own)
    return None if m.group("counted").strip().lower() == "times" else m


def breakdown_asked(question: str) -> str:
    """What a breakdown question counts by, as asked ("under 5"), or ""."""
    m = _breakdown(question)
    return " ".join(m.group("qualifier").split()).rstrip(" ?.!") if m else ""


def _qualifier_words(question: str) -> list[tuple[int, str]]:
    """(offset, word) of what a breakdown question counts by, in its last "how many ..." clause.

    Left out: stopwords and filler, years (the year check has them), the verb that opens the
    qualifier ("were flagged as at risk", "are growing up poor"), and "at home" / "in the house".
    """
    m = _breakdown(question)
    if m is None:
        return []
    base = m.start("qualifier")
    qualifier = _AT_HOME.sub(lambda x: " " * len(x.group(0)), m.group("qualifier"))
    qualifier = _SOURCE_CITED.sub(lambda x: " " * len(x.group(0)), qualifier)
    words = [(base + w.start(), w.group(0)) for w in WORD_RE.finditer(qualifier)]
    if words and (words[0][1].lower() in _PARTICIPLES or len(words) > 1 and words[0][1].lower().endswith(("ed", "ing"))):
        words = words[1:]  # an opening verb ("were run"), not a lone adjective: "are outstanding" counts by outstanding
    out = []
    for offset, w in words:
        bare = w[:-1] if w[:-1].isupper() and w.endswith("s") else w  # "LCSPRs" -> "LCSPR"
        toks = tokenize(bare)
        if toks and toks[0] not in _NOT_QUALIFIER and not YEAR.fullmatch(w):
            out.append((offset, bare))
    return out


def missing_breakdown(question: str, evidence: str, context: str = "") -> list[str]:
    """The words a breakdown question counts by that no figure in the evidence is given for.

    Judged over pairs of neighbouring sentences with a figure in them (a year is not one), with
    the passage's title and section, that name every word of what is counted (as the topic check
    asks of a figure). A word is covered when the pair has it, when its partner
    across an "or" is covered ("good or outstanding"), or when it is part of an everyday phrase
    whose document words the pair has ("kids in care": "looked after children").
    """
    wanted = _qualifier_words(question)
    if not wanted:
        return []
    phrases = glossary().plain_phrases(question)
    about = set(tokenize(context))
    per_partner = _EACH.match(breakdown_asked(question)) is not None
    counted, counted_phrases = _counted_words(question), _phrases(split_follow_up(question)[0])
    best: list[str] | None = None
    for pair in sentence_pairs(evidence):
        if not counts_something(pair) or (per_partner and not _PARTNER_NAMED.search(pair)):
            continue
        have = set(tokenize(pair)) | about
        if not _names_all(counted, counted_phrases, have):
            continue  # "how many of the home educated kids are secondary age": the split of EHC plans is another count
        spans = [(s, e) for s, e, words in phrases if _mostly_in(words, have)]
        covered = [_figure_named(question, offset, w, pair) if w.isdigit() else
                   bool(set(tokenize(w)) <= have) or expansion_covered(w, have) or any(s <= offset < e for s, e in spans)
                   for offset, w in wanted]
        for i, (offset, w) in enumerate(wanted):  # "good or outstanding": one side is enough
            covered[i] = covered[i] or any(set(tokenize(p)) <= have for p in _or_partners(question, offset, w))
        missing = [w for (_, w), ok in zip(wanted, covered) if not ok]
        if best is None or len(missing) < len(best):
            best = missing
        if not missing:
            return []
    return best if best is not None else [w for _, w in wanted]


# "How much did each partner agency put in?" asks for a figure per partner: a figure beside
# "partner agencies" in general is the total.
_EACH = re.compile(r"(?:each|every|individual)\b", re.I)
_PARTNER_NAMED = re.compile(r"\b(?:council|police|constabulary|ccg|icb|nhs|trust|authority|probation|health board)\b",
                            re.I)


def _figure_named(question: str, offset: int, number: str, text: str) -> bool:
    """A number the question counts by must come with its neighbouring word: "under 5" is not
    answered by "5 mainstream secondary" schools."""
    before = re.search(r"([A-Za-z]+)\s+$", question[:offset])
    after = re.match(r"\s+([A-Za-z]+)", question[offset + len(number):])
    return any(re.search(p, text, re.I) for p in (
        [rf"\b{before.group(1)}\s+{number}\b"] if before else []) + ([rf"\b{number}\s+{after.group(1)}"] if after else []))


def _or_partners(question: str, offset: int, word: str) -> list[str]:
    """The words either side of an "or" next to the word at `offset`."""
    before = re.search(r"([A-Za-z0-9'-]+)\s+or\s+$", question[:offset], re.I)
    after = re.match(r"\s+or\s+([A-Za-z0-9'-]+)", question[offset + len(word):], re.I)
    return [m.group(1) for m in (before, after) if m]


def _mostly_in(words: str, have: set[str]) -> bool:
    """Most of the phrase's words, leaving out who is counted ("looked after [children] in care")."""
    toks = set(tokenize(words)) - WHO_IS_COUNTED
    return bool(toks) and len(toks & have) >= max(1, round(len(toks) * 2 / 3))


_FIGURE_Q = re.compile(r"\b(?:how many|how much|number of|numbers|proportion|percentage|percent|rate|figures?|statistics|stats"
                       r"|attainment|score|total|income|expenditure|budget|reserves|spend|spent|funding)\b|%", re.I)


def missing_place(question: str, evidence: str, section: str = "") -> str:
    """The area a figure question names ("attainment 8 stockton") when every figure in the evidence
    is given for another area, by its sentence or by the section it is filed under; else "". The
    reports give each area's figures under its own heading ("About Hartlepool > Hartlepool
    Demographics"): Stockton's figure is not answered by Hartlepool's, however alike the sentences."""
    asked = areas_in(question)
    if len(asked) != 1 or not _FIGURE_Q.search(question):
        return ""
    figures = [s for s in passage_sentences(evidence) if counts_something(s)]
    for sentence in figures:
        named = areas_in(f"{section} {sentence}")
        if not named or named & asked:
            return ""
    return next(iter(asked)).capitalize() if figures else ""


# "How many people came to the professional disagreement briefing?" needs an attendance figure
# for that briefing, not the year's training attendance.
_ATTENDANCE_Q = re.compile(r"\bhow many (?:people|staff|practitioners|professionals|delegates|attendees)\b[\w' ]{0,40}?"
                           r"\b(?:went|go|came|come|attend\w*|turn(?:ed)? up|took part)\b(?:\s+(?:to|at|in|on))?"
                           r"(?P<subject>[^?()]*)", re.I)
_ATTENDANCE = re.compile(r"\b\d[\d,]*\s+(?:[\w-]+\s+){0,4}?(?:attend\w*|attendees|delegates|participants)\b"
                         r"|\b(?:attend\w*|attendance|delegates|participants)\b[^.]{0,60}?\b\d", re.I)


def missing_attendance(question: str, evidence: str) -> bool:
    """True when the question asks how many people attended something and no sentence pair gives
    an attendance figure naming it (at least half its words; any, for "went to them")."""
    m = _ATTENDANCE_Q.search(question)
    if not m:
        return False
    subject = set(tokenize(m.group("subject"))) - FILLER_STEMS - _NOT_QUALIFIER
    for pair in sentence_pairs(evidence):
        if _ATTENDANCE.search(pair) and len(subject & set(tokenize(pair))) * 2 >= len(subject):
            return False
    return True


# "And the year before?" with no year to count back from: the passage must compare with an earlier
# year ("up from 245 the previous year", "2019-20: 102,040"); a figure for the report's own year is
# not the year before's.
_EARLIER_YEAR_Q = re.compile(r"\b(?:year before|previous year|prior year|year prior|preceding year)\b", re.I)
_COMPARED = re.compile(r"\b(?:previous|last|prior|preceding) year\b|\byear before\b|\bcompared (?:to|with)\b"
                       r"|\b(?:increase|decrease|rise|fall|drop)(?:s|d)?\b|\b(?:rose|fell)\b|\b(?:up|down) from\b"
                       r"|\bfrom \d[\d,.]* to \d", re.I)


def missing_earlier_year(question: str, evidence: str) -> bool:
    """True when the question asks for the year before without naming a year, and no sentence
    pair with a figure for its topic compares with an earlier year or names two years."""
    if not _EARLIER_YEAR_Q.search(question) or YEAR.search(question):
        return False
    wanted = topic_words(question)
    phrases = _phrases(split_follow_up(question)[0])
    for pair in sentence_pairs(evidence):
        compared = _COMPARED.search(pair) or len({m.group(0) for m in YEAR.finditer(pair)}) >= 2
        if counts_something(pair) and compared and (not wanted or _names_topic(wanted, phrases, set(tokenize(pair)), 0.5)):
            return False
    return True


# A figure question is answered by a figure given for its topic. "Attainment 8 stockton" is not
# answered by Stockton's school count, nor "how much money did the partnership get in 2019-20" by
# "two key lines of enquiry during 2019-20": some sentence pair must give a figure beside one of
# the question's topic words (or the documents' words for it).
_NOT_TOPIC = _NOT_QUALIFIER | frozenset(tokenize("""hsscp partnership safeguarding children partnership's board
    year years last next went came live lives lived living times cost costs charge charges fee fees price pay paid average mean median rate rates figure figures statistics stats score scores total number percentage""")) | frozenset(AREAS) \
    | frozenset(tokenize(" ".join((*AREAS, *AREA_WORDS))))


# "missing episodes Hartlepool quarter 3 2025-26", "e-learning completions Q3 2025-26": a search-box
# fragment naming things counted (a plural) and a period asks for their figure for that period.
QUESTION_START = re.compile(r"^\s*(?:and\s+)?(?:who|what|when|where|why|how|which|is|are|was|were|do|does|did|can|could"
                             r"|should|will|would|has|have|tell|any|anything|i|we|my|our)\b", re.I)
_PERIOD = re.compile(YEAR.pattern + r"|\bq[1-4]\b|\bquarter\b", re.I)
_PERIOD_WORDS = frozenset(tokenize("quarter quarters q1 q2 q3 q4 month months week weeks"))


def is_terse_statistic(text: str) -> bool:
    """A search-box fragment (no question word, at most eight words) with a period and a plural noun."""
    words = WORD_RE.findall(text)
    plural = any(w.lower().endswith("s") and len(w) > 4 and not w.lower().endswith(("ss", "us", "is"))
                 and w.lower() not in AREAS and not w.isupper() for w in words)
    return len(words) <= 8 and not QUESTION_START.match(text) and bool(_PERIOD.search(text)) and plural \
        and not _NOT_A_COUNT.search(text)


_NOT_A_COUNT = re.compile(r"\b(?:dates?|when|times?|days?|details|where|venues?|links?|contacts?|names?)\b", re.I)


def topic_words(question: str, figure_asked: bool = False) -> list[str]:
    """The words of a figure question's own part (not a carried earlier question) that say what is
    counted or measured; empty when it is not a figure question (unless `figure_asked`)."""
    own = split_follow_up(question)[0]
    terse = is_terse_statistic(own)
    if not figure_asked and not _FIGURE_Q.search(own) and not terse:
        return []
    out = []
    skip = _NOT_TOPIC | (_PERIOD_WORDS if terse else frozenset())  # "quarter 3" is when, not what
    for w in WORD_RE.findall(own):
        toks = tokenize(w)
        if toks and not any(c.isdigit() for c in w) and toks[0] not in skip and w.lower() not in skip:
            out.append(w)
    return list(dict.fromkeys(out))


Phrase = tuple[frozenset[str], str]  # an everyday phrase's own words, and the documents' words for it


def _phrases(text: str) -> list[Phrase]:
    """The text's everyday phrases that say what is counted ("run off", not "cost" or "how many")."""
    out = [(frozenset(tokenize(text[s:e])), words) for s, e, words in glossary().plain_phrases(text)]
    return [(own, words) for own, words in out if own - _NOT_TOPIC]


def _half_in(phrase: Phrase, have: set[str]) -> bool:
    """Half the documents' words for an everyday phrase ("missing episodes" for "run off from home");
    where those words repeat the phrase's own ("audit": "multi-agency audit"), the own word itself."""
    own, words = phrase
    toks = set(tokenize(words)) - WHO_IS_COUNTED
    if toks & own and _elaborates(words):
        return toks & own <= have
    if len(own) == 1:  # one everyday word, several documents' words for it: "money" is income or budget
        return bool(toks & have)
    return bool(toks) and len(toks & have) >= max(1, len(toks) // 2)


# "What percentage of Stockton pupils have an EHCP?" needs a share (3.1%, "one in five"), not the
# count of children with a plan.
SHARE_Q = re.compile(r"\b(?:percentage|percent|per cent|proportion|share|fraction)\b|%|\bhow many out of\b", re.I)
SHARE = re.compile(r"%|\b(?:per\s?cent|percent|proportion|half|quarter|third|fifth|majority|minority)\b"
                    r"|\b(?:one|two|three|four|\d+) (?:in|out of) (?:every )?(?:\d+|two|three|four|five|ten)\b", re.I)


def gives_share(text: str) -> bool:
    """A share, not only a count: "17.8% of the school population", "one in five"."""
    return bool(SHARE.search(text))


def missing_topic_figure(question: str, evidence: str, context: str = "") -> bool:
    """True when the question asks for a figure and no sentence pair with a figure names any of
    its topic words (the section it is filed under counts with it); a question asking for a
    percentage needs a pair with a share."""
    wanted = topic_words(question)
    if not wanted:
        return False
    about = set(tokenize(context))
    own, earlier = split_follow_up(question)
    share = bool(SHARE_Q.search(own))
    phrases = _phrases(own)
    earlier_words = topic_words(earlier, figure_asked=True) if earlier and _POINTS_BACK.search(own) else []
    counted = _counted_words(question)
    # "prevent referrals stockton 2020-21": a search-box statistic names only what is counted, so
    # more than half of it ("carry forward" answers "reserves carried forward").
    most = 0.5 if is_terse_statistic(own) else 0.0
    terms = _written_terms(own)
    for pair in sentence_pairs(evidence):
        have = set(tokenize(pair)) | about
        if counts_something(pair) and (not share or gives_share(pair)) and _names_topic(wanted, phrases, have, most) \
                and (not earlier_words or _names_topic(earlier_words, _phrases(earlier), have)) \
                and _names_all(counted, phrases, have) and all(_names_term(t, pair, have) for t in terms):
            return False
    return True


@lru_cache(maxsize=256)
def _written_terms(text: str) -> tuple[tuple[str, str], ...]:
    """The glossary terms a question writes out: looked up once per question, not once per passage."""
    return tuple(glossary().terms_in(text))


def _names_term(term: tuple[str, str], text: str, have: set[str]) -> bool:
    """A safeguarding term the question writes out ("children missing education") is named by its
    acronym or by all its words: "Education, Health and Care" does not name children missing education."""
    long_form, acronym = term
    return set(tokenize(long_form)) <= have or re.search(rf"\b{re.escape(acronym)}s?\b", text) is not None


# "How many incidents had children present again within 12 months" counts repeats within that span;
# a figure of incidents that says nothing of 12 months answers a different question.
_COUNTS = {"a": 1, "an": 1, "one": 1} | {w: int(d) for w, d in NUMBER_WORDS.items()}
_SPAN = re.compile(rf"\b(\d+|{'|'.join(_COUNTS)})\s+(?:working\s+)?(hour|day|week|month|year)s?\b", re.I)
_SPAN_ASKED = re.compile(r"\bwithin\s+(?:the\s+)?(?:last\s+|past\s+|next\s+|first\s+)?" + _SPAN.pattern, re.I)
_HOURS = {"hour": 1, "day": 24, "week": 168, "month": 730, "year": 8760}  # "a year" is "12 months"


def _span_hours(m: re.Match[str]) -> int:
    n, unit = m.group(1).lower(), m.group(2).lower()
    return (int(n) if n.isdigit() else _COUNTS[n]) * _HOURS[unit]


def missing_span(question: str, evidence: str) -> str:
    """The span a figure question counts within ("within 12 months") when no sentence pair with a
    figure gives that span ("within a year" is the same span); else ""."""
    own = split_follow_up(question)[0]
    m = _SPAN_ASKED.search(own)
    if m is None or not _COUNT_ASKED.search(own):
        return ""
    wanted = _span_hours(m)
    if any(counts_something(pair) and any(_span_hours(s) == wanted for s in _SPAN.finditer(pair))
           for pair in sentence_pairs(evidence)):
        return ""
    return " ".join(m.group(0).split())


def _counted_words(question: str) -> list[str]:
    """What "how many prevent referrals were made" counts, every word of it: "referrals to
    children's social care" are not Prevent referrals."""
    m = _breakdown(question)
    counted = m.group("counted") if m else ""
    return [w for w in WORD_RE.findall(counted or "") if (t := tokenize(w)) and t[0] not in _NOT_TOPIC
            and not any(c.isdigit() for c in w)]


# "how many cases did they look at? (what was the december audit about)": the figure must be
# given for the earlier question's subject too.
_POINTS_BACK = re.compile(r"\b(?:they|them|it|those|these|that)\b", re.I)


def _expanded_in(word: str, have: set[str]) -> bool:
    """Most of a glossary expansion of the word, or any alternative of a list of them ("budget":
    expenditure); not the rest of an expansion that only elaborates the word ("audit" is not
    covered by the "multi-agency" of "multi-agency audit")."""
    own = set(tokenize(word))
    for expansion in glossary().expansions(word):
        toks = set(tokenize(expansion))
        if not toks or (toks & own and _elaborates(expansion)):
            continue
        if len(toks & have) >= max(1, round(len(toks) * 2 / 3)) or (toks & own and bool((toks - own) & have)):
            return True
    return False


def _elaborates(expansion: str) -> bool:
    """A short expansion that repeats the word it expands ("multi-agency audit" for "audit") adds to
    it rather than naming alternatives ("income expenditure ... budget" for "budget")."""
    return len(expansion.split()) <= 3


def _names_topic(wanted: list[str], phrases: list[Phrase], have: set[str], share: float = 0.0) -> bool:
    """More than `share` of the topic words (at least one), each itself, by its glossary expansion
    or by half the documents' words for an everyday phrase it is part of."""
    named = sum(1 for w in wanted if set(tokenize(w)) <= have or _expanded_in(w, have))
    if any(_half_in(phrase, have) for phrase in phrases):
        named = max(named, 1)
    return named >= max(1, int(len(wanted) * share) + (share > 0))


def _names_all(words: list[str], phrases: list[Phrase], have: set[str]) -> bool:
    """Every word, itself, by its glossary expansion or by an everyday phrase it is part of."""
    def named(w: str) -> bool:
        toks = set(tokenize(w))
        return toks <= have or _expanded_in(w, have) or any(toks <= own and _half_in((own, d), have) for own, d in phrases)
    return all(named(w) for w in words)


def missing_year_figure(question: str, evidence: str, context: str = "") -> list[str]:
    """The years a figure question names that no sentence gives a figure for its topic in.

    "How many rapid reviews were there in 2021-22?" is not answered by "the fourth is scheduled
    to be completed during 2021-22" beside 2020-21's count: the year, a figure and a topic word
    must stand in one sentence, a list item counting with the line that introduces it and a table
    row with the table's first row. The year may come from the passage's title or section
    ("Annual Report 2020-21"), the topic only from the sentence.
    """
    wanted = topic_words(question)
    asked = [wanted_year(m) for m in YEAR.finditer(split_follow_up(question)[0])]
    if not wanted or not asked:
        return []
    phrases = _phrases(split_follow_up(question)[0])
    about_years = years_in(context)
    missing = []
    for year in asked:
        if not any(year in (years_in(s) | about_years) and counts_something(s)
                   and _names_topic(wanted, phrases, set(tokenize(s))) for s in governed_sentences(evidence)):
            missing.append(year)
    return missing
