"""The places the partnership's documents name, in one list, and the places a text mentions.

The partnership covers two local authority areas, Hartlepool and Stockton-on-Tees; its reports
give each one's figures under its own heading and compare them with neighbours, the region and
England. A follow-up ("and in Stockton?") swaps one place for another, a figure question about
Stockton is not answered by Hartlepool's figure, and a place is never a person's surname.
"""

from __future__ import annotations

import re

# Local authority areas, by the short name a practitioner types ("stockton").
AREAS = ("hartlepool", "stockton", "middlesbrough", "redcar", "darlington", "durham")
# What a question may call an area instead of naming it: "how many kids in the borough ..."
AREA_WORDS = ("borough", "boroughs", "area", "areas", "town", "region", "locality")
# Every place a question or passage may name: the areas, the partnership's full area name, the
# wider region and the national comparison ("stockton-on-tees" before "stockton": longest first).
PLACES = ("stockton-on-tees", "stockton", "hartlepool", "middlesbrough", "redcar", "darlington",
          "teesside", "durham", "cleveland", "south tees", "north tees", "england", "national")
# "What about the other area?": each of the partnership's two areas, and the other one.
PARTNER_AREAS = {"hartlepool": "Stockton", "stockton-on-tees": "Hartlepool", "stockton": "Hartlepool"}


def places_in(text: str) -> set[str]:
    """Place names a passage or question mentions, so "in Hartlepool" prefers Hartlepool's figures."""
    lower = text.lower()
    return {p.split("-")[0] for p in PLACES if re.search(rf"\b{re.escape(p)}\b", lower)} - {"national", "england"}


def areas_in(text: str) -> set[str]:
    """The local authority areas a text names, possessive included ("stocktons attainment 8")."""
    lower = text.lower()
    return {a for a in AREAS if re.search(rf"\b{a}(?:'?s)?\b", lower)}
