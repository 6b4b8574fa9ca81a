"""Question spelling: apostrophes put back and typos corrected against the documents' words."""

from __future__ import annotations

from assistant.spelling import Speller, edit_distance, restore_apostrophes, tidy

DOCS = ["The Teeswide HOTH Conference will take place in March.", "Conferences and briefings for practitioners.",
        "Nurses and health visitors attended the safeguarding training."]


def test_apostrophes_are_put_back_in_common_contractions() -> None:
    assert restore_apostrophes("whos the independent chair thats stepping down") \
        == "who's the independent chair that's stepping down"
    assert restore_apostrophes("Whats new") == "what's new"
    assert restore_apostrophes("its time") == "its time"  # "its" is a word too: left alone


def test_edit_distance_counts_a_swap_as_one_edit_and_stops_past_the_limit() -> None:
    assert edit_distance("confrence", "conference", 2) == 1
    assert edit_distance("safegaurding", "safeguarding", 2) == 1
    assert edit_distance("training", "teaching", 1) == 2  # over the limit: limit + 1


def test_a_misspelt_word_becomes_the_documents_word() -> None:
    speller = Speller(DOCS)
    assert speller.correct("when is the HOTH confrence") == "when is the HOTH conference"
    assert speller.suggestion("practioners") == "practitioners"


def test_known_everyday_short_and_upper_case_words_are_left_alone() -> None:
    speller = Speller(DOCS)
    assert speller.suggestion("conference") is None  # in the documents
    assert speller.suggestion("nursery") is None  # everyday English, not a typo of "nurses"
    assert speller.suggestion("HOTHS") is None  # an acronym
    assert speller.suggestion("marc") is None  # too short to correct safely
    assert speller.suggestion("xylophone") is None  # nothing near it


def test_the_speller_is_built_only_when_a_word_is_unknown() -> None:
    built: list[Speller] = []

    def speller() -> Speller:
        built.append(Speller(DOCS))
        return built[-1]

    def known(word: str) -> bool:
        return word.lower() in {"teeswide", "conference"}

    assert tidy("teeswide conference dates", known, speller) == "teeswide conference dates"
    assert built == []  # every word known or everyday: the passages were not read
    assert tidy("teeswide confrence dates", known, speller) == "teeswide conference dates"
    assert len(built) == 1
