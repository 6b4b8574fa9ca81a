"""What a question asks for and what a sentence offers: the signals answer-sentence scoring reads.

A question that asks "how many" prefers a sentence with a figure in it (a year is not a figure);
a contact line (address, phone, email) answers only a question about contacting someone.
"""

from __future__ import annotations

import re

from assistant.evidence import EMAIL, PHONE

NUMERIC_Q = re.compile(r"\b(how many|how much|number|numbers|stats?|statistics|figures?|percent|%|"
                       r"proportion|rate|count|total|when|what date|which date|how often|budget|cost|"
                       r"income|spent|spend|expenditure|reserves|how long|phone|telephone|attainment|score)\b", re.I)
CONTACT_Q = re.compile(r"\b(contact|address|phone|telephone|email|e-mail|ring|call|reach|get in touch|number for)\b", re.I)
WHEN_Q = re.compile(r"\b(when|what date|which date|how long|how often|what year)\b", re.I)


def contact_block(text: str) -> bool:
    """A line of contact details (a phone number or email address beside an address)."""
    return bool(PHONE.search(text) or EMAIL.search(text)) and len(re.findall(r"[A-Za-z]{3,}", text)) < 40


