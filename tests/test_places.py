"""The one list of places: what a text names, and the partnership's two areas."""

from assistant.places import AREAS, PARTNER_AREAS, PLACES, areas_in, places_in


def test_places_in_reads_full_and_short_names_but_not_the_national_comparison() -> None:
    assert places_in("Stockton-on-Tees Demographics") == {"stockton"}
    assert places_in("how many referrals in hartlepool compared with England") == {"hartlepool"}
    assert places_in("the national average") == set()


def test_areas_in_reads_a_possessive_typed_without_its_apostrophe() -> None:
    assert areas_in("stocktons attainment 8") == {"stockton"}
    assert areas_in("Hartlepool's schools and Teesside") == {"hartlepool"}  # Teesside is a region, not an area


def test_every_area_is_a_place_and_each_partner_area_names_the_other() -> None:
    assert set(AREAS) <= set(PLACES) and set(PARTNER_AREAS) <= set(PLACES)
    assert PARTNER_AREAS["hartlepool"] == "Stockton" and PARTNER_AREAS["stockton-on-tees"] == "Hartlepool"
