"""Resolve a short follow-up against the conversation before retrieval.

"and in Stockton?" after "how many children are home educated in Hartlepool?" becomes
"how many children are home educated in Stockton?"; "who is taking that forward?" after a
question about the CSAFE deep dive carries the earlier question's words along. A question
that stands on its own is left alone.
"""

from __future__ import annotations

import re

from assistant.places import PARTNER_AREAS, PLACES
from assistant.sentences import FIGURE_WORDS, FILLER
from index.text import STOPWORDS, words

_LEAD_WORDS = "and|but|also|so|then|ok|okay"
# A question that starts like this goes on from the one before: "and in stockton?", "what about 2019-20?"
_LEAD = re.compile(rf"^\s*(?:{_LEAD_WORDS}|what about|how about|same for|what of)\b[\s,]*", re.I)
# Words a question may start with that say nothing: "ok so what should we be doing about it?"
_FILLER_LEAD = re.compile(rf"^\s*(?:{_LEAD_WORDS}|right|well)\b[\s,]*", re.I)
_ANAPHORA = re.compile(r"\b(that|this|those|these|it|its|they|them|their|there|he|she|his|her|the same|the review|the report|the group|the plan"
                       r"|the (?:[a-z]+ )?(?:one|ones)|which ones?)\b", re.I)  # "the second one", "the thematic ones"
# "who's leading on the recommendations?" after a question about the December audit means the
# audit's recommendations: a generic "the ..." with nothing else to pin it down points back.
_GENERIC_DEFINITE = re.compile(r"\bthe (?:key |main |new |[a-z]+ed )?(recommendations?|findings?|actions?|learning(?: points)?"
                               r"|outcomes?|results?|audit|deep dive|conference|event|meeting|briefings?|training|sessions?"
                               r"|toolkit|strategy|action plan|procedures?|guidance|protocols?)\b", re.I)
_PROPER = re.compile(r"\b([A-Z][a-z]+(?:[- ](?:on|upon|[A-Z][a-z]+))*(?:-[A-Z][a-z]+)?)\b")
_QUESTION_WORD = re.compile(r"^(who|what|when|where|why|how|which|is|are|do|does|did|can|could|should)\b", re.I)
# "what was it about?" after "how many people went to the themed conference?" asks what the
# conference was about, not how many went.
_ABOUT_Q = re.compile(r"^what(?:'s|s| is| was| are| were)\s+(?:it|they|that|this|these|those)\s+(?:all\s+)?about\b", re.I)
# "what should we actually be doing about it?" asks what to do about the earlier subject.
_WHAT_TO_DO = re.compile(r"^what (?:should|can|could|must|would|do) (?:i|we|you|they|staff|professionals|practitioners)\b", re.I)
# "where do I find them?" asks its own question of the earlier one's subject, though all its words are filler.
_OWN_VERB_Q = re.compile(r"^(?:where|when|who|how)\s+(?:do|does|did|can|could|should|would|will|is|are|was|were)\s+\w+\s+\w+", re.I)


def _content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 2]


def _proper_nouns(text: str) -> list[str]:
    """Capitalised names (first word of the text excepted) and known place names in any case."""
    names = [m.group(0) for p in PLACES for m in re.finditer(rf"\b{re.escape(p)}\b", text, re.I)
             if not text[:m.start()].lower().endswith("stockton-on-") or p != "tees"]
    lowered = {n.lower() for n in names}
    for m in _PROPER.finditer(text):
        if m.start() == len(text) - len(text.lstrip()) and _QUESTION_WORD.match(m.group(1)):
            continue
        if m.group(1).lower() not in lowered and not any(m.group(1).lower() in n for n in lowered):
            names.append(m.group(1))
    return names


def needs_context(question: str) -> bool:
    """Short, elliptical or pronoun-led questions lean on the previous turn."""
    content = _content_words(question)
    if _LEAD.match(question):
        return True
    if _ANAPHORA.search(question) and len(content) <= 5:
        return True
    has_name = bool(_proper_nouns(question)) or bool(re.search(r"\b[A-Z]{2,}\b", question))
    generic = _GENERIC_DEFINITE.search(question)
    if generic and len(set(content) - set(_content_words(generic.group(0)))) <= 2 and not has_name:
        return True  # "who took part in the facilitated event?": which event is the earlier question's
    if _BARE_CHOICE.match(question) and not _QUESTION_WORD.match(question.strip()) and len(set(content)) <= 3 and not has_name:
        return True  # "face to face or online?": a choice about the earlier question's subject
    beside_figure = set(content) - FIGURE_WORDS
    if beside_figure and beside_figure <= set(PLACES) and len(beside_figure) < len(set(content)):
        return True  # "what's the figure for stockton?": the earlier question's figure, for another place
    return len(content) <= 1 and not has_name


_BARE_CHOICE = re.compile(r"^\s*[\w' -]+\s+or\s+[\w' -]+\?\s*$", re.I)  # asked, not typed as search words


# "how many were re-referrals?" after a question about Stockton asks about Stockton: a short
# figure question that names no place of its own inherits the earlier question's.
_FIGURE_ASKED = re.compile(r"\b(?:how many|how much|what (?:percentage|proportion|number|share)|how often)\b", re.I)


def _inherits_place(question: str, previous: str) -> bool:
    return bool(_FIGURE_ASKED.search(question)) and not _proper_nouns(question) \
        and any(re.search(rf"\b{re.escape(p)}\b", previous, re.I) for p in PLACES) \
        and len(set(_content_words(question)) - FILLER) <= 4


MAX_CHAIN = 4
_RELATIVE_YEAR = re.compile(r"\b(?:the\s+)?(?:(year|one)\s+before|previous\s+year|year\s+prior|prior\s+year|"
                            r"(year|one)\s+after|following\s+year|next\s+year)\b", re.I)
_YEAR_SPAN = re.compile(r"\b((?:19|20)\d\d)(?:(\s*[-/–]\s*)(\d{2}|(?:19|20)\d\d))?\b")


def _shift_year(question: str, previous: str) -> str | None:
    """"what about the year before?" after a question about 2020-21 asks it about 2019-20."""
    m = _RELATIVE_YEAR.search(question)
    year = _YEAR_SPAN.search(previous)
    if not m or not year or len(_content_words(_RELATIVE_YEAR.sub("", _LEAD.sub("", question)))) > 1:
        return None
    step = -1 if re.search(r"before|previous|prior", m.group(0), re.I) else 1
    first, sep, second = year.group(1), year.group(2), year.group(3)
    text = str(int(first) + step)
    if second:
        text += sep + str(int(second) + step).zfill(len(second))[-len(second):]
    return previous[:year.start()] + text + previous[year.end():]



# The partnership covers two areas: "what about the other area?" after a Hartlepool question asks
# it about Stockton-on-Tees, and the other way round.
_OTHER_AREA_Q = re.compile(r"\bthe\s+other\s+(?:area|one|borough|council|local authority|authority|town|place|side)\b", re.I)


def _other_area(question: str, previous: str) -> str | None:
    if not _OTHER_AREA_Q.search(question):
        return None
    named = [(m, area) for area in PARTNER_AREAS for m in re.finditer(rf"\b{re.escape(area)}\b", previous, re.I)]
    areas = {PARTNER_AREAS[a] for _, a in named}
    if len(areas) != 1:  # neither area named, or both: no single other one
        return None
    m = min((m for m, _ in named), key=lambda m: (m.start(), -len(m.group(0))))
    return previous[:m.start()] + areas.pop() + previous[m.end():]


_VERBISH = frozenset("""meet meets met happen happens happened start starts started finish finishes finished run runs
    take takes took say says said do does did get gets got go goes went cover covers covered lead leads led chair
    chairs chaired deliver delivers delivered publish published held hold holds find finds found show shows showed
    come comes came need needs include includes look looks mean means work works cost costs close closes closed
    open opens opened done made make makes spend spends spent involve involved report reports reported due
    available""".split())
_DETERMINED = re.compile(r"^(the|a|an)\s+(.+)$", re.I)


def _noun_phrases(text: str) -> list[tuple[int, int]]:
    """Spans of "the/a/an + words" up to a stopword or a verb: "the hsscp exec" in "how often
    does the hsscp exec meet", "a HOTH conference" in "is there a HOTH conference coming up"."""
    spans = []
    for m in re.finditer(r"\b(?:the|a|an)\s+", text, re.I):
        end, taken = m.end(), 0
        for w in re.finditer(r"[\w'-]+", text[m.end():]):
            word = w.group(0).lower()
            after = text[m.end() + w.end():].split()
            ends_ing = word.endswith("ing") and taken and (not after or after[0].lower().strip("?.!,") in STOPWORDS)
            if word in STOPWORDS or word in _VERBISH or ends_ing or taken == 5:
                break
            end, taken = m.end() + w.end(), taken + 1
            if text[end:end + 1] in "?.!,;:":
                break
        if taken:
            spans.append((m.start(), end))
    return spans


_ATTRIBUTES = frozenset("""date dates day days time times name names number numbers cost costs price venue address
    website link figure figures total totals deadline""".split())


def _swap_phrase(rest: str, previous: str) -> str | None:
    """"and the engine room?" after "how often does the exec meet?" asks how often the engine
    room meets; "the annual one" keeps the earlier phrase's noun ("the annual conference")."""
    m = _DETERMINED.match(rest)
    spans = _noun_phrases(previous)
    if not m or not spans:
        return None
    # "and the learning from reviews briefings?" after "what's the date of the HOTH conference?"
    # takes the conference's place, not the date's: the date is what is asked of it.
    things = [(a, b) for a, b in spans if previous[a:b].split()[-1].lower() not in _ATTRIBUTES]
    start, end = (things or spans)[0]
    new = m.group(2).split()
    if new[-1].lower() in ("one", "ones"):
        head = previous[start:end].split()[-1]
        new[-1] = head if new[-1].lower() == "one" else head.rstrip("s") + "s"
    old = previous[start:end].split()[1:]  # without its article
    if len(old) > len(new) >= 2 and old[-1].lower() == new[-1].lower():
        # "and the postal address?" after "the hsscp email address": the hsscp postal address
        new = old[: len(old) - len(new)] + new
    article = m.group(1)
    if previous[start:start + 2].lower() in ("a ", "an") and article.lower() == "the":
        article = "an" if new[0][:1].lower() in "aeiou" else "a"  # "is there a ... coming up" keeps its article
    return f"{previous[:start]}{article} {' '.join(new)}{previous[end:]}"


def split_follow_up(resolved: str) -> tuple[str, str]:
    """("who's dealing with the recommendations?", "what was the audit about") from a follow-up
    resolved by carrying the earlier question along in brackets; (resolved, "") otherwise."""
    m = re.match(r"^(.*\S)\s+\(([^()]+)\)$", resolved)
    return (m.group(1), m.group(2)) if m else (resolved, "")


def resolve(question: str, history: list[str]) -> str:
    """The question to retrieve with: the follow-up made to stand alone.

    The previous question is itself resolved first (up to MAX_CHAIN turns back), so a
    follow-up of a follow-up keeps the topic: "marac cases hartlepool" -> "how many kids were
    involved in them" -> "and in stockton" asks about MARAC in Stockton.
    """
    question = question.strip()
    turns = [h.strip() for h in history if h and h.strip()][-MAX_CHAIN:]
    if not turns:
        return question
    previous = resolve(turns[-1], turns[:-1])
    if not previous or not (needs_context(question) or _inherits_place(question, previous)):
        return question
    shifted = _shift_year(question, previous)
    if shifted is None:
        shifted = _other_area(question, previous)
    if shifted is not None:
        return shifted
    rest = _LEAD.sub("", question)
    while _FILLER_LEAD.match(rest):  # "ok so what should we be doing about it?": "so" off too
        rest = _FILLER_LEAD.sub("", rest, count=1)
    rest = rest.strip(" ?.!")
    rest = re.sub(r"^(in|for|at|of|from|about)\s+", "", rest, flags=re.I)
    new_names = [n for n in _proper_nouns(rest) if n.lower() not in previous.lower()]
    old_names = [n for n in _proper_nouns(previous) if n.lower() not in question.lower()]
    elliptical = _LEAD.match(question) is not None or len(_content_words(question)) <= 2
    if elliptical and new_names and old_names and len(_content_words(rest)) <= 3:
        # "and in Stockton?": swap the earlier question's last name for the new one (a place for a
        # place: "and stockton's?" after "average Attainment 8 score in Hartlepool" swaps Hartlepool).
        old_places = [n for n in old_names if n.lower() in PLACES]
        target = old_places[-1] if new_names[0].lower().split("'")[0] in PLACES and old_places else old_names[-1]
        idx = previous.rfind(target)
        return previous[:idx] + new_names[0] + previous[idx + len(target):]
    relative_year = _RELATIVE_YEAR.search(question) is not None  # "the year before", no year to shift: carried
    if _LEAD.match(question) and not new_names and len(_content_words(rest)) <= 4 and not _ANAPHORA.search(rest) \
            and not relative_year:
        swapped = _swap_phrase(rest, previous)
        if swapped is not None:
            return swapped
    own_question = _QUESTION_WORD.match(rest) is not None \
        and (len(set(_content_words(rest)) - FILLER) >= 1 or _OWN_VERB_Q.match(rest) is not None
             or _ABOUT_Q.match(rest) is not None or _WHAT_TO_DO.match(rest) is not None) \
        and not re.search(r"\bones?\b", rest, re.I)  # "which one ..." picks from the earlier answer
    if elliptical and rest and not new_names and not _GENERIC_DEFINITE.search(question) and not own_question:
        return f"{previous.rstrip(' ?.!')} {rest}".strip()  # "and how many were boys?" is not its own question
    return f"{question} ({previous.rstrip(' ?.!')})"
