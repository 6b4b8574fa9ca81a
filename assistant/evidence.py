"""When is the evidence good enough to answer? The gaps between a question and a passage.

A passage that is close in meaning may still not answer: the question asks about 2024 and
the passage is about 2020-21, names a review the passage never mentions, or uses a specific
term (an acronym, a place) the whole index has never seen. These checks decide `found`;
the checks on figures (assistant/figures.py) and on named people (assistant/people.py) are
their own modules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from assistant.figures import (missing_attendance, missing_breakdown, missing_earlier_year, missing_place,
                              missing_topic_figure, missing_year_figure)
from assistant.glossary import is_common_word
from assistant.people import missing_person
from assistant.retrieval import Query
from assistant.sentences import (FILLER, FILLER_STEMS, WORD_RE, YEAR, expansion_covered, glossary,
                                 sentence_pairs, wanted_year, years_in)
from index.text import STOPWORDS, tokenize

_QUARTER = re.compile(r"\b(?:q|quarter\s*)([1-4])\b", re.I)  # "Q2", "quarter 3": a newsletter's quarter
_THIS_QUARTER = re.compile(r"\b(?:this|last|that|the same|the current) quarter\b", re.I)  # the newsletter's own quarter
_NAMED_REVIEW = re.compile(r"\b(child|baby|family|sibling)\s+([A-Za-z]{1,4})\b(?!\s*(?:in|of|and|is|was|protection|care|need))", re.I)


# Questions that ask for a particular kind of fact, and what that fact looks like in a passage.
# A passage close in meaning but without a phone number cannot tell a practitioner which
# number to ring, however much it says about the team.
PHONE = re.compile(r"\b0\d{9,10}\b|\b0\d{2,4}[\s-]\d{3,4}[\s-]?\d{3,4}\b"
                    r"|\b(?:ring|call|dial|phone|on)\s+(?:999|111|101)\b", re.I)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_WEB = re.compile(r"https?://|\bwww\.|\b[\w-]+\.(?:gov|org|co|nhs|ac|police)\.uk\b|\b[\w-]+\.(?:com|org|net)\b", re.I)
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
ASKED_KINDS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    ("a phone number", re.compile(r"\b(?:phone|telephone|tel|ring)\b|\b(?:team|hub|line|duty|desk|office)"
                                  r"(?:'s)? (?:phone |contact )?number\b|\bnumber (?:for|of) the [\w' ]*"
                                  r"(?:team|hub|line|service|desk|office)\b", re.I), PHONE),
    ("an email address", re.compile(r"\be-?mail(?: address)?\b(?!\s+(?:me|them|it|him|her))", re.I), EMAIL),
    ("a web address", re.compile(r"\b(?:web ?address|website address|web ?link|url|link to)\b"
                                 r"|\bwhere (?:do|can|would|should) (?:i|we|you) (?:find|get|access|download)\b"
                                 r"|\bwhere(?:'s|s| is| are) (?:the|a|an) [\w' -]*\b(?:forms?|procedures?|guidance|polic(?:y|ies)"
                                 r"|toolkits?|documents?|templates?|leaflets?)\b", re.I), _WEB),
    ("a time limit", re.compile(r"\bhow many (?:working )?(?:days|weeks|hours)\b|\bhow (?:quickly|soon)\b"
                                r"|\btime ?scales?\b|\bdeadline\b", re.I), _DURATION),
    ("a venue", re.compile(r"\bwhere(?:'s|s| is| are| will| was| were)\b[\w' -]*\b(?:held|hosted|taking place|take place"
                           r"|happening|located|based)\b", re.I), _VENUE),
    ("how to refer", re.compile(r"\bhow (?:do|can|should|would|to) (?:i |we |you )?(?:refer|report|notify|make a referral"
                                r"|raise a concern|contact)\b", re.I),
     re.compile(PHONE.pattern + "|" + EMAIL.pattern + "|" + _WEB.pattern + r"|\b(?:referral|online) form\b", re.I)),
    ("a time of day", re.compile(r"\bwhat times?\b(?! of (?:year|the year|month))", re.I), _CLOCK),
    ("a postcode", re.compile(r"\b(?:post ?code|postal address)\b", re.I), _POSTCODE),
    ("a price", re.compile(r"\bhow much\b[\w' ]*\b(?:cost|charge|pay for|fee)\b|\b(?:price|fee)s? (?:for|of)\b", re.I), _MONEY),
)


def asked_kinds(question: str) -> list[str]:
    """The kinds of fact (a phone number, a time) the question asks for."""
    return [name for name, asks, _ in ASKED_KINDS if asks.search(question)]


def missing_kinds(question: str, evidence: str) -> list[str]:
    """The kinds of fact the question asks for (a phone number, a time) that the evidence lacks.

    How to refer to someone ("how do I refer a young person to Prevent") needs the contact beside
    where the referral goes: the procedures website next to a list of procedures is not it.
    """
    out = []
    for name, asks, looks_like in ASKED_KINDS:
        if not asks.search(question):
            continue
        if name == "how to refer":
            where = set(tokenize(question)) - _NOT_REFERRAL_TOPIC
            if not any(looks_like.search(pair) and (not where or where & set(tokenize(pair)))
                       for pair in sentence_pairs(evidence)):
                out.append(name)
        elif not looks_like.search(evidence):
            out.append(name)
    return out


_NOT_REFERRAL_TOPIC = frozenset(tokenize("""how refer report notify make referral raise concern contact young person
    people child children kid kids someone somebody""")) | FILLER_STEMS


# "What did the EMMA review find?" is not answered by "The EMMA LCSPR was concluded and a report
# published": the passage must say what was found, near where it names what was reviewed.
_FINDINGS_Q = re.compile(r"\bwhat did\b.{1,60}?\b(?:find|recommend|conclude|show)\b"
                         r"|\bwhat (?:have|has) (?:they|it|we|the \w+) (?:found|recommended|concluded|learn(?:ed|t))\b|\bfindings?\b|\blessons?\b"
                         r"|\b(?:key|main) (?:messages?|learning|points|learning points)\b|\blearning points\b|\brecommendations?\b"
                         r"|\bwhat (?:was|were|has been|have been) (?:learn(?:ed|t)|found|recommended)\b"
                         r"|\bwhat happened (?:in|with|to|at) (?:the )?(?:child|baby|family|sibling) [A-Za-z]{1,4}\b", re.I)
_WHO_ASKED = re.compile(r"\s*(?:and\s+)?who(?:'s|s)?\b", re.I)
# "What procedures came from the recommendations?", "where did the recommendations go?": what came
# of them is asked, not what they were.
_CAME_OF_Q = re.compile(r"\b(?:from|on|with|to|of|implement\w*|where (?:did|have|do|are|were)|happened to)\s+"
                        r"(?:the\s+|its\s+|their\s+)?(?:recommendations?|findings?|learning|lessons?)\b", re.I)
_RECOMMEND_Q = re.compile(r"\brecommend(?:ed|s|ations?)?\b", re.I)
_RECOMMEND_CUES = re.compile(r"\brecommend\w*|\bresulted in\b|\bactions?\b[^.]{0,30}:", re.I)  # "This resulted in:"
_FINDING_CUES = re.compile(r"\b(?:found|findings?|identified|identify|highlighted|highlights?|learning|lessons?|themes?"
                           r"|showed|shows|recommend\w*|concluded that|key messages?|good practice|strengths?"
                           r"|areas? (?:for|of) (?:development|improvement)|concerns?|gaps?)\b", re.I)
_NOT_SUBJECT = frozenset(tokenize("""review reviews lcspr scr audit audits deep dive dives kloe case cases inquiry
    report reports briefing main key actually find found findings finding lessons lesson learned learnt learn
    recommend recommended recommendations conclude concluded show showed what were was did messages message
    points 7 seven minute came come out""")) | FILLER | FILLER_STEMS


# A word of finding that only names the findings, without giving them: "on the theme of Domestic
# Abuse" (what the audit was about), "the implementation of the recommendations", "incorporate any
# relevant learning", "national findings are addressed".
_MENTION_ONLY = re.compile(r"\btheme of\b|\b(?:the|any|relevant|national|its|their|of)\s+(?:findings?|learning|lessons?|"
                           r"recommendations?|themes?)\b(?!\s*(?::|include|included|includes|were\b(?! being)|was\b"
                           r"|is\b|that\b(?! (?:were|was|have been|had been|are being) made)|around\b|about\b|identified"
                           r"|highlighted|from (?:the|this) (?:review|audit)))"
                           r"|\b(?:findings?|learning|lessons?|recommendations?)\b[^.]{0,60}?\b(?:are|is|were|was|have been|has been"
                           r"|will be)\s+(?:being\s+)?(?:addressed|implemented|progressed|taken forward|monitored|shared"
                           r"|disseminated|incorporated|considered)\b", re.I)  # "Recommendations ... are being addressed"


def _finding_cues(cues: re.Pattern[str], text: str) -> bool:
    """True when the text has a word of finding that gives findings, not one that only names them."""
    return bool(cues.search(_MENTION_ONLY.sub(" ", text)))


def _is_name(word: str) -> bool:
    """The word after "Child" names a review: "Child T", "Child JSW" (not "child is", "child a")."""
    return (len(word) == 1 and word.isupper()) or word.lower() not in STOPWORDS | FILLER


def _review_names(question: str) -> list[str]:
    """"child t", "child jsw": the reviews a question names, lower-cased."""
    return [f"{m.group(1)} {m.group(2)}".lower() for m in _NAMED_REVIEW.finditer(question) if _is_name(m.group(2))]


def _all_named(names: list[str], text: str) -> bool:
    lower = text.lower()
    return all(re.search(rf"\b{re.escape(n)}\b", lower) for n in names)


def missing_findings(question: str, evidence: str, context: str = "") -> bool:
    """True when the question asks what a review or audit found and the evidence never says.

    `context` is the passage's title and section. A passage filed under the named review's own
    heading ("Local Child Safeguarding Practice Review - Child M > Learning Themes") is the
    review's account, so it answers. Otherwise it is judged over pairs of neighbouring
    sentences: one must name the question's subject (the review's name, the audit's theme) and
    carry a word of finding ("identified", "learning", "good practice"; a question about
    recommendations needs the word "recommend...").
    """
    if not _FINDINGS_Q.search(question) or _WHO_ASKED.match(question) or _CAME_OF_Q.search(question):
        return False  # "who's dealing with the recommendations?" asks who, not what they were
    subject = {t for t in tokenize(question) if t not in _NOT_SUBJECT}
    if not subject:
        return False
    cues = _RECOMMEND_CUES if _RECOMMEND_Q.search(question) else _FINDING_CUES  # asked what it recommended
    names = _review_names(question)
    if names and context and _all_named(names, context):
        return False
    about = set(tokenize(context))  # "ALEX LCSPR > ...": the heading names what its sentences are about
    for pair in sentence_pairs(evidence):
        named = _all_named(names, pair) if names else bool(subject & (set(tokenize(pair)) | about))
        if named and _finding_cues(cues, pair):
            return False
    return True


# "When is the Child RAC review expected to finish?" is not answered by "reviews are underway for
# Child JSW and Child RAC": a sentence about the subject must carry a date.
_WHEN_ASKED = re.compile(r"^\s*(?:(?:and|but|so|from)\s+)?(?:when\b|what date\b|which date\b)", re.I)
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
    if not _WHEN_ASKED.search(question):
        return False
    subject = {t for t in tokenize(question) if t not in _NOT_WHEN_SUBJECT}
    if not subject:
        return False
    names = _review_names(question) + [a.lower().rstrip("s") for a in re.findall(r"\b[A-Z]{2,}s?\b", question)]  # "CSAFE"
    about = set(tokenize(context))
    for pair in sentence_pairs(evidence):
        named = _all_named(names, f"{context} {pair}") if names else bool(subject & (set(tokenize(pair)) | about))
        if named and _DATE.search(pair):
            return False
    return True


# "What are the agreed trauma-informed principles?" is not answered by "promotional materials to
# draw attention to agreed trauma-informed principles": the passage must set them out (the word
# followed by "are", "include" or a colon and a list), or be filed under a heading naming them.
_CONTENTS_Q = re.compile(r"\bwhat (?:are|were|is) (?:the |our |their )?(?:[\w'-]+ ){0,4}?(?P<noun>principles|criteria"
                         r"|thresholds?|steps|standards|rules|eligibility|requirements)\b"
                         r"|\b(?P<noun2>principles|criteria|thresholds|eligibility|requirements) (?:for|of)\b", re.I)
# "What does the rough guide say about writing chronologies?": a sentence pair must name what it is asked about.
_GENERIC_DOING = frozenset(tokenize("work working deal dealing handle handling use using approach approaches"))
_SAYS_ABOUT_Q = re.compile(r"\bwhat (?:does|do|did) .{1,60}? say about (?P<topic>[^?()]+)", re.I)


def missing_contents(question: str, evidence: str, context: str = "") -> str:
    """What a question about the contents of a set of principles (criteria, steps) or of a
    document needs and the evidence lacks: "what the principles are", "what it says about
    chronologies", or ""."""
    m = _CONTENTS_Q.search(question)
    if m:
        noun = (m.group("noun") or m.group("noun2")).lower()
        stem = noun[:6]
        if re.search(rf"\b{stem}", context, re.I):
            return ""
        set_out = re.compile(rf"\b{stem}\w*\b[^.,;]{{0,25}}?(?::|\b(?:are|include\w*|is that|state|say)\b)", re.I)
        return "" if set_out.search(evidence) else f"what the {noun} are"
    m = _SAYS_ABOUT_Q.search(question)
    if m:
        topic = set(tokenize(m.group("topic"))) - FILLER_STEMS - _GENERIC_DOING
        if topic and not any(topic <= set(tokenize(pair)) or all(expansion_covered(t, set(tokenize(pair))) or
                                                                  t in set(tokenize(pair)) for t in topic)
                             for pair in sentence_pairs(evidence)):
            return f"what it says about {' '.join(m.group('topic').split()).rstrip(' ?.!')}"
    return ""


# "What did Ofsted rate Hartlepool children's services?" is not answered by how Hartlepool's schools
# were judged: the judgement must be given for what the question names.
_RATING_Q = re.compile(r"\b(?:ofsted|cqc|hmicfrs|inspection)\b.*\b(?:rat(?:e|ed|ing|ings)|grade[ds]?|judge[ds]?|judgements?)\b"
                       r"|\b(?:rat(?:e|ed|ing|ings)|grade[ds]?|judged)\b.*\b(?:ofsted|cqc|hmicfrs|inspection)\b", re.I)
_RATING = re.compile(r"\b(?:rated|rating|judged|judgements?|graded|outstanding|good or better|requires improvement"
                     r"|inadequate)\b", re.I)
_NOT_RATED_SUBJECT = frozenset(tokenize("""ofsted cqc hmicfrs inspection inspected last latest rate rated rating ratings
    grade graded judge judged judgement judgements give gave what did get got good better outstanding percentage
    proportion many children child kids young people""")) | FILLER_STEMS


def missing_rating(question: str, evidence: str) -> bool:
    """True when the question asks how an inspectorate rated something and no sentence pair gives
    a judgement beside what it names (places aside: "Hartlepool" is not what was rated)."""
    if not _RATING_Q.search(question):
        return False
    from assistant.signals import places_in  # signals reads this module's contact patterns

    places = {t for p in places_in(question) for t in tokenize(p)}
    subject = set(tokenize(question)) - _NOT_RATED_SUBJECT - places
    if not subject:
        return False
    return not any(_RATING.search(pair) and subject & set(tokenize(pair)) for pair in sentence_pairs(evidence))


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
    if missing_earlier_year(question, sentences):
        hard.append("a figure for the year before")
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
    for m in _NAMED_REVIEW.finditer(question):
        name = m.group(2)
        if not _is_name(name):
            continue
        if f"{m.group(1).lower()} {name.lower()}" not in ev_lower:
            hard.append(m.group(0))
    ev_tokens = set(tokenize(evidence))
    topic = [w for w in dict.fromkeys(WORD_RE.findall(question)) if w.lower() not in STOPWORDS
             and w.lower() not in FILLER and len(w) > 1]
    missed = 0
    unknown_words = 0
    for w in topic:
        toks = tokenize(w)
        if not toks or toks[0] in ev_tokens:
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
