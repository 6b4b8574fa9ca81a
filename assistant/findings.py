"""Findings questions: "what did the EMMA review find?" needs a passage that says what was found.

A passage can name a review, its recommendations or its learning without giving any of them
("the recommendations are being implemented", "any relevant learning"); the checks here tell a
finding from a mention, and which review a question names.
"""

from __future__ import annotations

import re

from assistant.people import WHO_Q
from assistant.sentences import FILLER, FILLER_STEMS, sentence_pairs
from index.text import STOPWORDS, tokenize

NAMED_REVIEW = re.compile(r"\b(child|baby|family|sibling)\s+([A-Za-z]{1,4})\b(?!\s*(?:in|of|and|is|was|protection|care|need))", re.I)


# "What did the EMMA review find?" is not answered by "The EMMA LCSPR was concluded and a report
# published": the passage must say what was found, near where it names what was reviewed.
_FINDINGS_Q = re.compile(r"\bwhat did\b.{1,60}?\b(?:find|recommend|conclude|show)\b"
                         r"|\bwhat (?:have|has) .{1,40}?\b(?:found|recommended|concluded|learn(?:ed|t))\b"
                         r"|\bfindings?\b|\blessons?\b|\b(?:failings|failures|shortcomings)\b|\bwhat went wrong\b"
                         r"|\b(?:key|main) (?:messages?|learning|points|learning points)\b|\blearning points\b|\brecommendations?\b"
                         r"|\b(?:learning )?themes? (?:were |was )?(?:identified|found|highlighted)\b"
                         r"|\bwhat (?:was|were|has been|have been) (?:learn(?:ed|t)|found|recommended)\b"
                         r"|\bwhat happened (?:in|with|to|at) (?:the )?(?:child|baby|family|sibling) [A-Za-z]{1,4}\b"
                         r"|\b(?:child|baby|family|sibling) [A-Za-z]{1,4}\b.{0,30}\bwhat happened\b"  # "child t lcspr what happened"
                         r"|\bwhat (?:was|is|were) (?:the )?(?:child|baby|family|sibling) [A-Za-z]{1,4}\b[\w ]{0,20}\babout\b", re.I)
# "What procedures came from the recommendations?", "where did the recommendations go?": what came
# of them is asked, not what they were.
_CAME_OF_Q = re.compile(r"\b(?i:from|on|with|to|of|implement\w*|where (?:did|have|do|are|were)|happened to)\s+"
                        r"(?i:the\s+|its\s+|their\s+)?(?:[A-Z][\w'-]*\s+){0,3}"  # "of the Eve SCR recommendations"
                        r"(?i:recommendations?|findings?|learning|lessons?)\b")
_RECOMMEND_Q = re.compile(r"\brecommend(?:ed|s|ations?)?\b", re.I)
_RECOMMEND_CUES = re.compile(r"\brecommend\w*|\bresulted in\b|\bactions?\b[^.]{0,30}:", re.I)  # "This resulted in:"
_FINDING_CUES = re.compile(r"\b(?:found|findings?|identified|identify|highlighted|highlights?|learning|lessons?|themes?"
                           r"|showed|shows|recommend\w*|concluded that|key messages?|good practice|strengths?"
                           r"|areas? (?:for|of) (?:development|improvement)|concerns?|gaps?)\b", re.I)
_NOT_SUBJECT = frozenset(tokenize("""review reviews lcspr scr audit audits deep dive dives kloe case cases inquiry
    report reports briefing main key actually find found findings finding lessons lesson learned learnt learn
    recommend recommended recommendations conclude concluded show showed what were was did messages message
    points 7 seven minute came come out failings failures shortcomings went wrong themes theme identified highlighted""")) \
    | FILLER | FILLER_STEMS


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


def is_name(word: str) -> bool:
    """The word after "Child" names a review: "Child T", "Child JSW" (not "child is", "child a")."""
    return (len(word) == 1 and word.isupper()) or word.lower() not in STOPWORDS | FILLER


def review_names(question: str) -> list[str]:
    """"child t", "child jsw": the reviews a question names, lower-cased."""
    return [f"{m.group(1)} {m.group(2)}".lower() for m in NAMED_REVIEW.finditer(question) if is_name(m.group(2))]


def all_named(names: list[str], text: str) -> bool:
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
    if not _FINDINGS_Q.search(question) or WHO_Q.match(question) or _CAME_OF_Q.search(question):
        return False  # "who's dealing with the recommendations?" asks who, not what they were
    subject = {t for t in tokenize(question) if t not in _NOT_SUBJECT}
    if not subject:
        return False
    cues = _RECOMMEND_CUES if _RECOMMEND_Q.search(question) else _FINDING_CUES  # asked what it recommended
    names = review_names(question)
    if names and context and all_named(names, context):
        return False
    about = set(tokenize(context))  # "ALEX LCSPR > ...": the heading names what its sentences are about
    for pair in sentence_pairs(evidence):
        named = all_named(names, pair) if names else bool(subject & (set(tokenize(pair)) | about))
        if named and _finding_cues(cues, pair):
            return False
    return True
