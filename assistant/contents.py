"""What a named thing sets out or was judged: the contents of principles, criteria or a
document, and an inspectorate's rating.

A passage that names "the agreed trauma-informed principles" or "the Rough Guide" without
setting them out cannot tell a practitioner what they say; a rating of schools is not a rating
of children's services.
"""

from __future__ import annotations

import re

from assistant.places import places_in
from assistant.sentences import FILLER_STEMS, expansion_covered, sentence_pairs
from index.text import tokenize

# "What are the agreed trauma-informed principles?" is not answered by "promotional materials to
# draw attention to agreed trauma-informed principles": the passage must set them out (the word
# followed by "are", "include" or a colon and a list), or be filed under a heading naming them.
_CONTENTS_Q = re.compile(r"\bwhat (?:are|were|is) (?:the |our |their )?(?:[\w'-]+ ){0,4}?(?P<noun>principles|criteria"
                         r"|thresholds?|steps|standards|rules|eligibility|requirements)\b(?!\s+(?:document|statement|policy"
                         r"|guidance|framework|tool|form|procedure|meeting|group|panel|review)s?\b)"  # "the threshold document"
                         r"|\b(?P<noun2>principles|criteria|thresholds|eligibility|requirements) (?:for|of)\b", re.I)
# "What does the rough guide say about writing chronologies?": a sentence pair must name what it is asked about.
# ... and how anyone saw or treated it ("how professionals saw him") says nothing of what it is.
_GENERIC_DOING = frozenset(tokenize("""work working deal dealing handle handling use using approach approaches
    see saw seen view viewed think thought treat treated perceive perceived"""))
_SAYS_ABOUT_Q = re.compile(r"\bwhat (?:does|do|did) .{1,60}? say about (?P<topic>[^?()]+)", re.I)


def _mostly_named(topic: set[str], have: set[str]) -> bool:
    """Every topic word in the pair, itself or by its glossary expansion ("dads": fathers); of
    two or more, all but one ("dads not being looked at properly": fathers overlooked)."""
    named = sum(1 for t in topic if t in have or expansion_covered(t, have))
    return named >= max(1, len(topic) - 1) if len(topic) >= 2 else named == len(topic)


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
        verb = "are" if noun.endswith("s") or noun == "criteria" else "is"
        return "" if set_out.search(evidence) else f"what the {noun} {verb}"
    m = _SAYS_ABOUT_Q.search(question)
    if m:
        topic = set(tokenize(m.group("topic"))) - FILLER_STEMS - _GENERIC_DOING
        if topic and not any(_mostly_named(topic, set(tokenize(pair))) for pair in sentence_pairs(evidence)):
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
    places = {t for p in places_in(question) for t in tokenize(p)}
    subject = set(tokenize(question)) - _NOT_RATED_SUBJECT - places
    if not subject:
        return False
    return not any(_RATING.search(pair) and subject & set(tokenize(pair)) for pair in sentence_pairs(evidence))
