"""Bridging practitioners' words and the documents' words.

Two sources of expansions: a built-in glossary (safeguarding acronyms, and everyday words
mapped to the terms procedures and reports use) and definitions found in the indexed
documents themselves ("Local Child Safeguarding Practice Review (LCSPR)"). Expansions are
added to the query with a lower weight, never replacing what the practitioner typed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

ACRONYMS: dict[str, str] = {
    "ACE": "adverse childhood experiences", "ACES": "adverse childhood experiences",
    "CAMHS": "child and adolescent mental health services",
    "CAFCASS": "children and family court advisory and support service",
    "CCE": "child criminal exploitation", "CET": "child exploitation team",
    "CIN": "child in need", "CLA": "children looked after", "LAC": "looked after children",
    "CME": "children missing education",
    "CP": "child protection", "CPP": "child protection plan",
    "CSA": "child sexual abuse", "CSAFE": "child sexual abuse in the family environment",
    "CSE": "child sexual exploitation", "DA": "domestic abuse",
    "DSL": "designated safeguarding lead", "EH": "early help",
    "EHC": "education health and care", "EHCP": "education health and care plan",
    "FGM": "female genital mutilation", "GDPR": "data protection", "FII": "fabricated or induced illness",
    "HOTH": "harm outside the home",
    "HSSCP": "hartlepool and stockton-on-tees safeguarding children partnership",
    "ICPC": "initial child protection conference", "KLOE": "key lines of enquiry",
    "LADO": "local authority designated officer",
    "LCSPR": "local child safeguarding practice review",
    "LSCB": "local safeguarding children board",
    "MARAC": "multi-agency risk assessment conference",
    "MASH": "multi-agency safeguarding hub", "NRM": "national referral mechanism",
    "PLO": "public law outline", "PMF": "performance management framework", "PRU": "pupil referral unit",
    "SCR": "serious case review", "SEN": "special educational needs",
    "SEND": "special educational needs and disabilities",
    "SLSCB": "stockton local safeguarding children board",
    "STSCP": "south tees safeguarding children partnership",
    "TEWV": "tees esk and wear valleys", "TJTG": "tees joint training group",
    "TSAB": "teeswide safeguarding adults board", "YOT": "youth offending team",
    "7MB": "seven minute briefing",
}

# Everyday phrase (regex, matched on lower-cased text) -> the documents' vocabulary.
PLAIN_LANGUAGE: tuple[tuple[str, str], ...] = (
    (r"\b(dad|dads|daddy|daddies|step-?dads?)\b", "fathers father"),
    (r"\b(mum|mums|mam|mom|moms|mummy)\b", "mother parent"),
    (r"\b(kids?|kiddies|youngsters?|children's)\b", "children young people"),
    (r"\b(teens?|teenagers?|adolescents?)\b", "young people"),
    (r"\b(babies|baby|newborn|unborn)\b", "baby pre-birth infant"),
    (r"\b(run(ning|s)? (away|off)|ran (away|off)|runaways?|go(es|ing)? missing|went missing|abscond(ing|ed|s)?)\b",
     "missing episodes missing from home care"),
    (r"\b(can'?t|cannot|could ?n[o']t|unable to) (check|verify|confirm|prove)", "self-reported information verify triangulate"),
    (r"\b(tells? me|told me|says?|said|claims?)\b.*\b(true|check|verify|believe)\b", "self-reported information verify"),
    (r"\b(face value|take their word|believe (them|parents?))\b", "self-reported face value verify"),
    (r"\b(nosy|curious|curiosity|dig deeper|ask questions)\b", "professional curiosity inquisitiveness"),
    (r"\b(stats?|statistics|figures|numbers|how many|count)\b", "number"),
    (r"\b(spend|spends|spent|spending|outgoings)\b", "expenditure"),
    (r"\b(brought forward|carried over|carry over|left over|leftover|underspend)\b", "carry forward reserves"),
    (r"\b(goals?|mission|main aim|purpose)\b", "vision"),
    (r"\b(money|budget|funding|funded|cost|costs|finances?|financial)\b",
     "income expenditure financial arrangements reserves budget"),
    (r"\b(domestic violence|dv|abuse at home|violent partner)\b", "domestic abuse"),
    (r"\b(home ?school(ed|ing)?|home ?educat\w*|not in school)\b", "home educated"),
    (r"\b(special needs|disabilit(y|ies)|disabled)\b", "special educational needs and disabilities send"),
    (r"\b(protection plans?|on a plan|cp plans?)\b", "child protection plan"),
    (r"\b(in care|care leavers?|foster(ed|ing)? kids|looked after)\b", "looked after children in care"),
    (r"\b(groom(ed|ing)?|exploit(ed|ation)?|county lines|gangs?)\b", "exploitation harm outside the home contextual safeguarding"),
    (r"\b(knife|knives|stabbing|youth violence|gang violence)\b", "serious youth violence"),
    (r"\b(radicali[sz]\w*|extremis\w*|prevent)\b", "radicalisation extremism"),
    (r"\b(traffick\w*|slavery|forced labour)\b", "modern slavery human trafficking exploitation"),
    (r"\b(disagree\w*|dispute|escalat\w*|challenge another|push back)\b",
     "professional challenge resolution professional disagreement escalation"),
    (r"\b(hidden|concealed|secret|denied) pregnan\w*\b", "concealed pregnancy"),
    (r"\b(won'?t engage|hard to engage|not engaging|avoid(ing)? (us|services)|uncooperative|disengag\w*)\b",
     "families who find it hard to engage"),
    (r"\b(poor|poverty|deprived|deprivation|hard up)\b", "poverty deprivation"),
    (r"\b(lessons?|learnt|learned|takeaways?|what went wrong)\b", "learning"),
    (r"\b(case reviews?|serious case|child deaths?)\b", "case reviews lcspr scr"),
    (r"\b(courses?|sessions?|workshops?)\b", "training"),
    (r"\b(online (?:[a-z-]+ )?(?:courses?|training|modules?)|e-?learning)\b", "e-learning"),  # "online safeguarding courses"
    (r"\b(dentist|dental|teeth)\b", "dental"),
    (r"\b(mental health|wellbeing|well-being|anxiety|depress\w*|self-harm)\b", "mental health wellbeing"),
    (r"\b(supervision|reflect\w*)\b", "reflective supervision"),
    (r"\b(sexual abuse (in|at) (the )?(home|family))\b", "child sexual abuse in the family environment csafe"),
    (r"\b(front door|referral point|where do i refer|make a referral)\b", "children's hub referrals"),
    (r"\b(in charge|runs|who leads|boss|head of|top (person|boss|man|woman|dog)|chair)\b", "independent chair executive"),
    (r"\b(intro|introduction|opening letter|preface)\b", "foreword"),
    # "When did the partnership go live / start?": the report says it "went live in April 2019"
    (r"\b(go(?:es)? live|gone live|going live)\b|\b(?:partnership|hsscp)\b(?: [a-z]+){0,2} (?:start(?:ed)?|beg[ia]n|set up"
     r"|form(?:ed)?|launch(?:ed)?|creat(?:ed)?|establish(?:ed)?)\b", "went live"),
    (r"\b(audit(s|ed)?|check(ed)? cases)\b", "multi-agency audit"),
    (r"\b(deep ?dives?|lines of enquiry)\b", "key lines of enquiry kloe deep dive"),
    (r"\b(page views|visitors|visits|hits)\b", "website page views visitors"),  # not "website": "the procedures website" is an address
    (r"\b(teachers?|pupils?|schools?)\b", "schools"),
    (r"\b(cops|police|officers?)\b", "police"),
    (r"\b(fire brigade|fire service|firefighters?|fire station)\b", "fire and rescue service"),
    (r"\b(exec|execs)\b", "executive"),
    (r"\b(away ?days?|team days?)\b", "development day"),
    (r"\b(in a room|in person|in-person|classroom)\b", "face to face"),
    (r"\b(on teams|on zoom|video calls?|remotely)\b", "virtual online"),
    # "face to face or online?": the documents say "virtual delivery" (not an online course or form)
    (r"\bonline\b(?! (?:[a-z-]+ )?(?:courses?|modules?|training|booking|safety|forms?|learning|system|portal)\b)", "virtual"),
    (r"\b(old (safeguarding )?boards?|former boards?|lscbs?)\b", "local safeguarding children board lscb hscb"),
    (r"\b(signs? off|sign-off|green ?lights?)\b", "approve"),
    (r"\b(allegations? against (staff|a teacher|professionals?)|staff abuse)\b", "allegations against staff lado"),
    (r"\b(covid|pandemic|lockdowns?)\b", "covid pandemic lock downs"),
    (r"\b(priorit(y|ies)|focus(es)?|plans? for next year|next year)\b", "priorities next steps"),
    (r"\b(who(?:'s| is| are) (?:in|on)|who sits? on|members?|partners?)\b", "membership partners"),
    # "Is probation part of the partnership?": besides the partners, the relevant agencies it names
    (r"\b((?:part|members?) of|in|on|belongs? to|involved (?:in|with)) the (?:safeguarding )?partnership\b",
     "partners relevant agencies"),
    (r"\b(bulletins?|newsletters?)\b", "e-bulletins newsletter"),
    (r"\b(sent out|sent|went out|go out|goes out|mailed|emailed out)\b", "circulated distributed"),
    (r"\b(when|what date|dates?)\b", "date"),
    (r"\b(phone|telephone|ring|call them|contact number|contact details|get in touch)\b", "tel telephone contact email"),
    (r"\b(e-?mail|email address)\b", "email"),
    (r"\b(trauma\w*)\b", "trauma-informed"),
    (r"\b(going on|on-?going|at the moment|in progress|right now|currently)\b", "currently underway ongoing"),
    (r"\b(repeats|repeat referrals?|referred again|re-?referred)\b", "re-referrals"),
    (r"\b(present (at|during|for|in)|there (when|during|at)|witness(es|ed|ing)?)\b", "witnessing present"),
    # Working Together 2018: the statutory safeguarding partners are the local authority, the health
    # commissioner and the chief officer of police.
    (r"\b((statutory|main|lead|key) (safeguarding )?partners?)\b",
     "safeguarding partners borough council clinical commissioning group chief officer of police"),
)

_DEFINITION = re.compile(r"\b((?:[A-Z][\w'&,-]*\s+){1,8}?(?:[A-Z][\w'-]*))\s*\(([A-Z][A-Za-z0-9]{1,7})\)")


def definitions_in(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms defined in the documents: 'Key Lines Of Enquiry (KLOE)' -> {'KLOE': ...}."""
    found: dict[str, str] = {}
    for text in texts:
        for m in _DEFINITION.finditer(text):
            long_form, acronym = m.group(1).strip(), m.group(2)
            initials = "".join(w[0] for w in re.findall(r"[A-Za-z][\w'-]*", long_form)).upper()
            if acronym.upper().rstrip("S") and initials.endswith(acronym.upper().rstrip("S")[:1]) \
                    and acronym.upper()[0] in initials:
                found.setdefault(acronym.upper(), long_form.lower())
    return found


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Whole words of the embedding model's WordPiece vocabulary: everyday English.

    A question word the index has never seen but that is everyday English ("month",
    "teacher") says little about coverage on a small library; a rare one ("GDPR",
    "nursery"-like specialist terms split into pieces) says the topic is missing.
    """
    from index.embedder import default_model_path

    try:
        lines = (default_model_path() / "vocab.txt").read_text(encoding="utf-8").split()
    except (OSError, RuntimeError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and len(w) > 2)


def is_common_word(word: str) -> bool:
    return word.lower().strip("'") in _common_words()


class Glossary:
    """Built-in terms plus the definitions found in the index."""

    def __init__(self, extra: dict[str, str] | None = None) -> None:
        self.acronyms = dict(ACRONYMS)
        for k, v in (extra or {}).items():
            self.acronyms.setdefault(k, v)
        self._long_forms = sorted(((v, k) for k, v in self.acronyms.items()), key=lambda kv: -len(kv[0]))
        self._plain = [(re.compile(p, re.I), e) for p, e in PLAIN_LANGUAGE]
        self._related = self._related_phrases()

    def _related_phrases(self) -> dict[str, list[str]]:
        """Everyday phrases the plain-language table ties to an acronym, read the other way.

        "allegations against staff" -> "allegations against staff lado" also tells us that a
        question about the LADO is answered by a passage about allegations against staff,
        even when the document never writes "LADO".
        """
        related: dict[str, list[str]] = {}
        for _, expansion in PLAIN_LANGUAGE:
            words = expansion.split()
            plain = " ".join(w for w in words if w.upper() not in self.acronyms)
            for w in words:
                if w.upper() in self.acronyms and plain:
                    related.setdefault(w.upper(), []).append(plain)
        return related

    def expansions(self, question: str) -> list[str]:
        """Phrases to add to the query: long forms, acronyms and document vocabulary."""
        out: list[str] = []
        for token in re.findall(r"\b[A-Za-z0-9]{2,8}\b", question):
            key = token.upper() if token.upper() in self.acronyms else (
                token[:-1].upper() if token.endswith("s") and token[:-1].isupper() else "")
            long_form = self.acronyms.get(key)
            # "yot" and "lado" typed in lower case are acronyms too; "send" and "ace" are words.
            if long_form and (token.isupper() or len(token) >= 4
                              or (len(token) == 3 and not is_common_word(token))):
                out.append(long_form)
                out.extend(self._related.get(key, ()))
        lower = question.lower()
        for long_form, acronym in self._long_forms:
            if long_form in lower:
                out.append(acronym)
        for pattern, expansion in self._plain:
            if pattern.search(lower):
                out.append(expansion)
        seen: set[str] = set()
        return [e for e in out if not (e in seen or seen.add(e))]

    def terms_in(self, text: str) -> list[tuple[str, str]]:
        """(long form, acronym) of each safeguarding term written out in the text ("children missing
        education"): a term names one thing, so its words are not to be found one by one apart."""
        lower = " ".join(text.lower().split())
        return [(long_form, acronym) for long_form, acronym in self._long_forms
                if re.search(rf"\b{re.escape(long_form)}\b", lower)]

    def plain_phrases(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, document words) of each everyday phrase in the text: "kids in care" is
        "looked after children in care" in the documents, so a passage saying so covers it."""
        lower = text.lower()
        return [(m.start(), m.end(), expansion) for pattern, expansion in self._plain for m in pattern.finditer(lower)]
