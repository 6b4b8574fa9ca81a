"""Who-holds-the-role questions need a named person, not the role's name."""

from __future__ import annotations

import re

from assistant.glossary import is_common_word
from assistant.places import PLACES
from assistant.sentences import FILLER_STEMS, sentence_pairs
from index.text import STOPWORDS, tokenize

# A question asking who: "who runs it?", "and who's the chair?", "the name of the reviewer".
WHO_Q = re.compile(r"^\s*(?:and\s+)?(?:who(?:'s|s)?\b|(?:what(?:'s|\s+is)\s+)?(?:the\s+)?name\s+of\b)", re.I)
# "Who is the business manager?" asks for a person; a passage naming the role ("the HSSCP Business
# Manager and the Independent Chair") does not say who holds it. Nor does "I am standing down"
# say who replaced the chair.
_WHO_HOLDS_Q = re.compile(r"^\s*(?:and\s+)?(?:who(?:'s|s|\s+is|\s+was)|(?:what(?:'s|\s+is)\s+)?(?:the\s+)?name\s+of)\s+"
                          r"(?:the\s+|our\s+)?"
                          r"(?P<role>[A-Za-z' -]*?\b(?:chair|chairperson|manager|lead|leader|officer|director|reviewer|author"
                          r"|friend|scrutineer|head|boss|co-?ordinator|lado|dsl|worker|adviser|advisor|nurse|doctor|inspector"
                          r"|commissioner|representative|person|contact))s?(?=\s+(?:who|that|thats|doing|for|at|in|of|and)\b"
                          r"|\s*[?.!]?\s*$)"
                          r"|^\s*(?:what(?:'s|s|\s+is)\s+)?(?:the\s+)?(?P<named>[A-Za-z' -]*?\b(?:chair|manager|lead|officer|director"
                          r"|reviewer|author|scrutineer|co-?ordinator|lado|dsl|nurse|inspector|commissioner))(?:'s|s)?\s+name\s*[?.!]?\s*$",
                          re.I)  # "hsscp business manager name", "what's the chair's name"
# Everyday words for the role at the top: "who was the head of the partnership" asks for its chair.
_ROLE_SYNONYMS = {t: set(tokenize("chair chairperson")) for t in tokenize("head boss top")}
_SUCCESSOR_Q = re.compile(r"\bwho\b.{0,40}?\b(?:replac\w*|succeed\w*|took over|taken over|taking over|is the new|'s the new)\b",
                          re.I)
_SUCCESSION = re.compile(r"\b(?:replac\w*|succeed\w*|successor|took over|taken over|taking over|appointed|appointment of"
                         r"|new|incoming|interim)\b", re.I)
_PERSON = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Miss|Prof)\.?\s+[A-Z][a-z]+|\b[A-Z][a-z]+\s+([A-Z][a-z]{2,})\b(?![-'])")
_NOT_SURNAMES = frozenset({"safeguarding", "teeswide"})
# "Who chairs the Tees HOTH group?" is answered by a sentence saying who chairs that group ("chaired
# by a statutory partner on a rota basis" is an answer without a name), not by one about the group.
_CHAIRS_Q = re.compile(r"\bwho (?:chairs|is chairing|is the chair of|'s the chair of)\s+(?P<subject>[^?()]+)", re.I)
_CHAIR = re.compile(r"\bchair\w*", re.I)
# "Who heads up the police child exploitation team?" asks who is at its head: a person, a role
# ("chaired by a statutory partner", "the Business Manager") or whoever it is "led by". A passage
# that only says the team exists does not answer. ("Who was the head of the partnership" is a
# who-holds-the-role question, above.)
_HEADS_Q = re.compile(r"\bwho(?:'s|s|\s+is|\s+was)?\s+(?:heads?(?:\s+up)?|headed(?:\s+up)?|in\s+charge\s+of|manages|managed)"
                      r"\s+(?P<subject>[^?()]+)", re.I)
_AT_THE_HEAD = re.compile(r"\b(?:(?:led|headed|chaired|managed|run|overseen)\s+by|chair\w*|manager|head\s+of|director"
                          r"|lead\s+officer|senior\s+responsible\s+officer|superintendent|inspector|sergeant)\b", re.I)
_NOT_CHAIRED_SUBJECT = frozenset(tokenize("group groups meeting meetings board it that this"))


def names_a_person(text: str) -> bool:
    """A personal name: "Dave Pickard", "Dr Smith" (not "Business Manager" or "Tees Valley",
    whose second word is a common word or a place)."""
    for m in _PERSON.finditer(text):
        surname = m.group(1)
        if surname is None:
            return True
        lower = surname.lower()
        if m.group(0).split()[0].lower() in STOPWORDS:  # "Lines Of Enquiry"
            continue
        if not is_common_word(lower) and lower not in PLACES and lower not in _NOT_SURNAMES:
            return True
    return False


def _subject(text: str) -> set[str]:
    """What a group is, without filler or the generic "group", "meeting", "it"."""
    return set(tokenize(text)) - FILLER_STEMS - _NOT_CHAIRED_SUBJECT


def asks_who_holds(question: str) -> bool:
    """"Who is the business manager?", "name of the independent chair": a person is asked for."""
    return _WHO_HOLDS_Q.search(question) is not None


def missing_person(question: str, evidence: str) -> str:
    """What a who-holds-the-role question needs and the evidence lacks: "a name" when no pair of
    sentences that names the role (or, for "who replaced...", a succession) names a person;
    "who chairs it" when no pair says who chairs the group asked about; "who heads it" when no
    pair naming what is headed names a person, a role or who leads it; "" otherwise."""
    chairs = _CHAIRS_Q.search(question)
    if chairs:
        subject = _subject(chairs.group("subject"))
        if subject and not any(_CHAIR.search(pair) and subject <= set(tokenize(pair)) for pair in sentence_pairs(evidence)):
            return "who chairs it"
        return ""
    heads = _HEADS_Q.search(question)
    if heads:
        subject = _subject(heads.group("subject"))
        for pair in sentence_pairs(evidence):
            have = set(tokenize(pair))
            if len(subject & have) * 2 >= len(subject) and (names_a_person(pair) or _AT_THE_HEAD.search(pair)):
                return ""
        return "who heads it"
    successor = _SUCCESSOR_Q.search(question)
    asked = _WHO_HOLDS_Q.search(question)
    if not (successor or asked):
        return ""
    role = set(tokenize(asked.group("role") or asked.group("named"))) - FILLER_STEMS if asked else set()
    for pair in sentence_pairs(evidence):
        have = set(tokenize(pair))
        named = {t for t in role if t in have or _ROLE_SYNONYMS.get(t, set()) & have}
        about = _SUCCESSION.search(pair) if successor else (not role or len(named) * 2 >= len(role))
        if about and names_a_person(pair):
            return ""
    return "a name"
