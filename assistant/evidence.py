"""When is the evidence good enough to answer? The gaps between a question and a passage.

A passage that is close in meaning may still not answer: the question asks about 2024 and
the passage is about 2020-21, names a review the passage never mentions, or uses a specific
term (an acronym, a place) the whole index has never seen. These checks decide `found`;
the checks on figures (assistant/figures.py), named people (assistant/people.py), review
findings (assistant/findings.py) and what a named thing sets out or was rated (assistant/contents.py)
are their own modules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from assistant.contents import missing_contents, missing_rating
from assistant.figures import (missing_attendance, missing_breakdown, missing_earlier_year, missing_place,
                              missing_span, missing_topic_figure, missing_year_figure)
from assistant.findings import NAMED_REVIEW, all_named, is_name, missing_findings, review_names
from assistant.glossary import is_common_word
from assistant.people import asks_who_holds, missing_person
from assistant.retrieval import Query
from assistant.sentences import (FIGURE_WORDS, FILLER, FILLER_STEMS, WORD_RE, YEAR, expansion_covered, glossary,
                                 governed_sentences, sentence_pairs, wanted_year, years_in)
from index.text import STOPWORDS, tokenize

_QUARTER = re.compile(r"\b(?:q|quarter\s*)([1-4])\b", re.I)  # "Q2", "quarter 3": a newsletter's quarter
_THIS_QUARTER = re.compile(r"\b(?:this|last|that|the same|the current) quarter\b", re.I)  # the newsletter's own quarter


# Questions that ask for a particular kind of fact, and what that fact looks like in a passage.
# A passage close in meaning but without a phone number cannot tell a practitioner which
# number to ring, however much it says about the team.
PHONE = re.compile(r"\b0\d{9,10}\b|\b0\d{2,4}[\s-]\d{3,4}[\s-]?\d{3,4}\b"
                    r"|\b(?:ring|call|dial|phone|on)\s+(?:999|111|101)\b", re.I)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
# A web address, not an email address's domain ("HSSCP@hartlepool.gov.uk" gives no page to visit).
WEB = re.compile(r"https?://|\bwww\.|(?<![@\w.-])[\w-]+\.(?:gov|org|co|nhs|ac|police)\.uk\b"
                  r"|(?<![@\w.-])[\w-]+\.(?:com|org|net)\b", re.I)
_CLOCK = re.compile(r"\b\d{1,2}[:.]\d\d\b|\b\d{1,2}\s?(?:am|pm)\b|\b(?:noon|midday)\b", re.I)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_VENUE = re.compile(r"\b(?:venue|centre|center|hall|hotel|stadium|suite|building|library|campus|online|virtual(?:ly)?"
                    r"|teams|zoom|webinar|face[- ]to[- ]face|in person|held at|takes? place at|taking place at)\b"
                    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)
_N = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty)"
_PERIOD = r"(?:working\s+)?(?:days?|weeks?|hours?|hrs?)"  # not months: "within 12 months" is a statistic's window
_DURATION = re.compile(rf"\bwithin\s+{_N}\s*{_PERIOD}\b|\b{_N}\s*{_PERIOD}\s+(?:of|after|from|before)\b"
                       rf"|\b{_N}\s+working\s+days?\b|\bimmediately\b|\bsame day\b|\bnext working day\b|\bwithout delay\b",
                       re.I)  # a time limit ("within 72 hours", "15 working days of"), not "two audit days"
_MONEY = re.compile(r"£\s?\d|\b\d[\d,.]*\s?(?:pounds|p)\b|\bfree\b|\bno (?:cost|charge|fee)\b", re.I)
_CONTACT_GIVEN = re.compile(PHONE.pattern + "|" + EMAIL.pattern + "|" + WEB.pattern + r"|\b(?:referral|online) form\b", re.I)
ASKED_KINDS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    ("a phone number", re.compile(r"\b(?:phone|telephone|tel|ring)\b|\b(?:team|hub|line|duty|desk|office)"
                                  r"(?:'s)? (?:phone |contact )?number\b|\bnumber (?:for|of) the [\w' ]*"
                                  r"(?:team|hub|line|service|desk|office)\b", re.I), PHONE),
    ("an email address", re.compile(r"\be-?mail(?: address)?\b(?!\s+(?:me|them|it|him|her))", re.I), EMAIL),
    ("a web address", re.compile(r"\b(?:web ?address|website address|web ?link|url|link to)\b"
                                 r"|\bwhere (?:do|can|would|should) (?:i|we|you) (?:find|get|access|download)\b"
                                 r"|\bwhere(?:'s|s| is| are) (?:the|a|an) [\w' -]*\b(?:forms?|procedures?|guidance|polic(?:y|ies)"
                                 r"|toolkits?|documents?|templates?|leaflets?)\b", re.I), WEB),
    ("a time limit", re.compile(r"\bhow many (?:working )?(?:days|weeks|hours)\b|\bhow (?:quickly|soon)\b"
                                r"|\btime ?scales?\b|\bdeadline\b", re.I), _DURATION),
    ("a venue", re.compile(r"\bwhere(?:'s|s| is| are| will| was| were)\b[\w' -]*\b(?:held|hosted|taking place|take place"
                           r"|happening|located|based)\b", re.I), _VENUE),
    ("how to refer", re.compile(r"\bhow (?:do|can|should|would|to) (?:i |we |you )?(?:refer|report|notify|make a referral"
                                r"|raise a concern|contact)\b", re.I), _CONTACT_GIVEN),
    # "Who do I contact about an allegation against a teacher?": a contact beside the topic, not figures about it
    ("a contact", re.compile(r"\bwho (?:do|should|can|would) (?:i|we|you) (?:contact|ring|call|phone|tell|speak to|talk to"
                             r"|report (?:it |this |that )?to|refer (?:it |this |them |him |her )?to)\b", re.I), _CONTACT_GIVEN),
    ("a time of day", re.compile(r"\bwhat times?\b(?! of (?:year|the year|month))", re.I), _CLOCK),
    ("a postcode", re.compile(r"\b(?:post ?code|postal address)\b", re.I), _POSTCODE),
    ("a price", re.compile(r"\bhow much\b[\w' ]*\b(?:cost|charge|pay for|fee)\b|\b(?:price|fee)s? (?:for|of)\b", re.I), _MONEY),
)


# "What's the name of the new online booking system?" asks what it is called: a sentence naming the
# thing must also give a name ("the Tees Safeguarding All MeLearning platform"); "bookings made via
# a new online booking system" does not. A person's name is missing_person's ("name of the chair").
_NAME_OF_Q = re.compile(r"\bname\s+of\s+(?:the\s+|a\s+|an\s+|our\s+|this\s+|that\s+)?(?P<thing>[^?()]+)"
                        r"|\bwhat(?:'s|s|\s+is|\s+was)\s+(?:the\s+)?(?P<called>[\w' -]+?)\s+called\b", re.I)
_THING_ENDS = re.compile(r"\s+(?:for|in|of|at|on|that|which|who|used|they|we|is|was|called)\b.*$", re.I)
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]*\b")


def missing_name(question: str, evidence: str) -> bool:
    """True when the question asks what something is called and no sentence that names the thing
    (its last word: "system", "platform") gives a name the question does not already have."""
    m = _NAME_OF_Q.search(question)
    if m is None or asks_who_holds(question):
        return False
    thing = _THING_ENDS.sub("", m.group("thing") or m.group("called") or "")
    head = tokenize(thing.split()[-1]) if thing.split() else []
    if not head:
        return False
    known = {w.lower() for w in _CAPITALISED.findall(question)}
    for sentence in governed_sentences(evidence):
        if head[0] not in tokenize(sentence):
            continue
        words = _CAPITALISED.findall(sentence)[1:]  # the first word is capitalised as a sentence starts
        if any(w.lower() not in known and w.lower() not in STOPWORDS for w in words):
            return False
    return True


def asked_kinds(question: str) -> list[str]:
    """The kinds of fact (a phone number, a time) the question asks for."""
    return [name for name, asks, _ in ASKED_KINDS if asks.search(question)]


def missing_kinds(question: str, evidence: str) -> list[str]:
    """The kinds of fact the question asks for (a phone number, a time) that the evidence lacks.

    How to refer ("how do I refer a young person to Prevent") needs the contact beside where the
    referral goes: the procedures website next to a list of procedures is not it. A price needs
    the money beside what is priced: the partnership's reserves are not what a course costs.
    """
    out = []
    for name, asks, looks_like in ASKED_KINDS:
        if not asks.search(question):
            continue
        beside = _BESIDE.get(name)
        if beside is not None:
            topic = set(tokenize(question)) - beside[0]
            share = beside[1]
            if not any(looks_like.search(pair) and (not topic or len(topic & set(tokenize(pair))) > share * len(topic))
                       for pair in sentence_pairs(evidence)):
                out.append(name)
        elif not looks_like.search(evidence):
            out.append(name)
    return out


# Kinds that must stand beside the question's topic: (words that are not the topic, the share of
# the topic words the sentence pair must name beyond: 0 = any one, 0.5 = more than half).
_BESIDE: dict[str, tuple[frozenset[str], float]] = {
    "how to refer": (frozenset(tokenize("""how refer report notify make referral raise concern contact young person
        people child children kid kids someone somebody""")) | FILLER_STEMS, 0.0),
    "a contact": (frozenset(tokenize("""who contact ring call phone tell speak talk report refer young person
        people child children kid kids someone somebody worried concern concerned""")) | FILLER_STEMS, 0.0),
    "a price": (frozenset(tokenize("""how much cost costs price fee fees charge charges pay paid go attend send book
        place places hsscp partnership safeguarding multi agency""")) | FILLER_STEMS, 0.5),
    # "Where's the annual conference being held?": "training was delivered virtually" is no venue for it.
    "a venue": (frozenset(tokenize("""where held hosted taking take place happening located based going be being
        hsscp partnership safeguarding""")) | FILLER_STEMS, 0.5),
}


# "When is the Child RAC review expected to finish?" is not answered by "reviews are underway for
# Child JSW and Child RAC": a sentence about the subject must carry a date.
WHEN_ASKED = re.compile(r"^\s*(?:(?:and|but|so|from)\s+)?(?:when\b|what (?:date|day)\b|which date\b)", re.I)
_DATE = re.compile(r"\b(?:january|february|march|april|june|july|august|september|october|november|december|"
                   r"jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|spring|summer|autumn|winter|quarter|q[1-4]|"
                   r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekly|monthly|annually|every|"
                   r"(?:19|20)\d\d|\d{1,2}(?:st|nd|rd|th))\b|\bmay\s+(?:19|20)\d\d\b|\b\d{1,2}(?:st|nd|rd|th)?\s+may\b", re.I)
_NOT_WHEN_SUBJECT = frozenset(tokenize("""when date year expected expect due next happen happening happened held hold
    take takes took place start starts started finish finished complete completed publish published done go went
    live will be""")) | FILLER | FILLER_STEMS


def missing_date(question: str, evidence: str, context: str = "") -> bool:
    """True when the question asks when something is (was, will be) and no sentence pair of the
    evidence that names its subject carries a date (a month, a year, "every 6 weeks", a season)."""
    if not WHEN_ASKED.search(question):
        return False
    subject = {t for t in tokenize(question) if t not in _NOT_WHEN_SUBJECT}
    if not subject:
        return False
    names = review_names(question) + [a.lower().rstrip("s") for a in re.findall(r"\b[A-Z]{2,}s?\b", question)]  # "CSAFE"
    about = set(tokenize(context))
    for pair in sentence_pairs(evidence):
        named = all_named(names, f"{context} {pair}") if names else bool(subject & (set(tokenize(pair)) | about))
        if named and _DATE.search(pair):
            return False
    return True


@dataclass(frozen=True)
class Gaps:
    """What the question asks for that the evidence does not contain."""

    hard: tuple[str, ...]
    uncovered_share: float
    unknown_share: float = 0.0


# A year named as where money went or came from: "carry forward of £151,436 into 2021-22",
# "HSCB carry forward from 2019-20". The passage gives that year's reserves, not its income.
_CARRIED = re.compile(r"\b(?:into|from)\s+(?:(?:19|20)\d\d(?:\s*[-/–]\s*\d{2,4})?)", re.I)
# ... unless the question asks about that: "reserves carried forward 2021-22", "brought forward into 2020-21".
_CARRY_ASKED = re.compile(r"\b(?:carr(?:y|ied|ies|ying)\s+(?:forward|over)|brought\s+forward|reserves?)\b|" + _CARRIED.pattern,
                          re.I)  # not "carry out": "reviews carried out in 2019-20" asks for 2019-20's


# "Is there a phone number for the partnership office?": the office is where the contact details
# reach, not a topic word the passage must say ("... Safeguarding Children Partnership ... Tel: ...").
_KIND_WORDS = frozenset("office offices headquarters hq reception".split())


def evidence_gaps(query: Query, evidence: str, vocab: Mapping[str, int] | None, context: str = "",
                  body: str | None = None, section: str = "") -> Gaps:
    """Hard gaps (a kind of fact, a year, a named review, a specific unknown term) and the share
    of topic words missed.

    A specific term is an acronym, a capitalised name or a number in the question that the
    index has never seen and that no glossary expansion brings in: "FGM", "Leeds", "GDPR".
    """
    question = query.text
    hard: list[str] = missing_kinds(question, evidence)
    sentences = evidence if body is None else body  # sentence-level checks: the passage, not its title or date
    if missing_findings(question, sentences, context):
        hard.append("what was found")
    if missing_date(question, sentences, context):
        hard.append("a date")
    if missing_rating(question, sentences):
        hard.append("a rating for it")
    contents = missing_contents(question, sentences, context)
    if contents:
        hard.append(contents)
    breakdown = missing_breakdown(question, sentences, context)
    if breakdown:
        hard.append("a figure for " + " ".join(breakdown))
    if missing_attendance(question, sentences):
        hard.append("an attendance figure")
    if not breakdown and missing_topic_figure(question, sentences, context):
        hard.append("a figure for it")
    if not breakdown:
        hard.extend(f"a figure for {y}" for y in missing_year_figure(question, sentences, context))
    span = missing_span(question, sentences)
    if span:
        hard.append("a figure " + span)
    if missing_earlier_year(question, sentences):
        hard.append("a figure for the year before")
    if missing_name(question, sentences):
        hard.append("its name")
    person = missing_person(question, sentences)
    if person:
        hard.append(person)
    place = missing_place(question, sentences, section)
    if place:
        hard.append("a figure for " + place)
    ev_quarters = {m.group(1) for m in _QUARTER.finditer(evidence)}
    hard.extend(m.group(0) for m in _QUARTER.finditer(question) if m.group(1) not in ev_quarters)
    if _THIS_QUARTER.search(question) and not re.search(r"\bquarter|\bq[1-4]\b", evidence, re.I):
        hard.append(_THIS_QUARTER.search(question).group(0))  # the annual report's figures are not a quarter's
    ev_years = years_in(evidence)
    about_years = years_in(_CARRIED.sub(" ", evidence))  # "carried forward into 2021-22" is not 2021-22's figure
    for m in YEAR.finditer(question):
        wanted = wanted_year(m)
        carried = _CARRY_ASKED.search(question[max(0, m.start() - 40):m.end()])
        if wanted not in (ev_years if carried else about_years):
            hard.append(m.group(0))
    ev_lower = " ".join(evidence.lower().split())
    for m in NAMED_REVIEW.finditer(question):
        name = m.group(2)
        if not is_name(name):
            continue
        if f"{m.group(1).lower()} {name.lower()}" not in ev_lower:
            hard.append(m.group(0))
    ev_tokens = set(tokenize(evidence))
    kind_words = _KIND_WORDS if asked_kinds(question) else frozenset()
    topic = [w for w in dict.fromkeys(WORD_RE.findall(question)) if w.lower() not in STOPWORDS
             and w.lower() not in FILLER and w.lower() not in FIGURE_WORDS and w.lower() not in kind_words and len(w) > 1]
    missed = 0
    unknown_words = 0
    for w in topic:
        toks = tokenize(w)
        if not toks or toks[0] in ev_tokens or _QUARTER.fullmatch(w):  # "Q3": the quarter check above has it
            continue
        if expansion_covered(w, ev_tokens):
            continue
        missed += 1
        unknown = vocab is not None and toks[0] not in vocab and not _near_known(toks[0], vocab)
        unknown_words += unknown and not any(c.isdigit() for c in w) and not is_common_word(w)
        bare = w.rstrip("s") if w[:-1].isupper() else w
        specific = (bare.isupper() and len(bare) >= 2) or w.isdigit() or (w[0].isupper() and w != question.split()[0])
        if unknown and specific:
            hard.append(w)
    return Gaps(tuple(hard), missed / max(1, len(topic)), unknown_words / max(1, len(topic)))


_DEFINITION_Q = re.compile(r"\bwhat(?:'s|\s+is|\s+does|\s+do)?\s+(?:the\s+|an?\s+)?([A-Za-z]{2,8})\s+"
                           r"(?:mean|means|stand for|stands for|short for)\b|\b([A-Za-z]{2,8})\s+(?:meaning|acronym)\b", re.I)


def spells_out(question: str, evidence: str) -> bool:
    """True when the question asks what an acronym means and the evidence spells it out.

    "What does PMF mean?" is answered by "Performance Management Framework (PMF) groups"
    however little else of the passage is about the question.
    """
    m = _DEFINITION_Q.search(question)
    if not m:
        return False
    term = (m.group(1) or m.group(2)).upper()
    if term.lower() in STOPWORDS or term.lower() in FILLER:
        return False
    from assistant.glossary import definitions_in

    if term in definitions_in([evidence]):
        return True
    long_form = glossary().acronyms.get(term)
    return bool(long_form) and re.search(rf"\b{re.escape(term)}\b", evidence, re.I) is not None \
        and set(tokenize(long_form)) <= set(tokenize(evidence))


def _near_known(term: str, vocab: Mapping[str, int]) -> bool:
    """A one-letter slip in a long name ("Sharif" for "Sherif") still counts as known."""
    if len(term) < 5:
        return False
    for other in vocab:
        if abs(len(other) - len(term)) <= 1 and other[:1] == term[:1] and _within_one_edit(term, other):
            return True
    return False


def _within_one_edit(a: str, b: str) -> bool:
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1:
        return False
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:] if i < len(a) else True
