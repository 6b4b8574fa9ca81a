"""The glossary and the evidence-gap rules that decide `found`, without the embedding model."""

from __future__ import annotations

from assistant.evidence import evidence_gaps
from assistant.glossary import Glossary
from assistant.retrieval import Query

VOCAB = {t: 1 for t in "allegation staff referral stockton hartlepool children partnership train".split()}


def test_acronym_brings_the_everyday_phrase_the_documents_use() -> None:
    expansions = Glossary().expansions("how many LADO referrals did stockton have")
    assert "local authority designated officer" in expansions
    assert "allegations against staff" in expansions


def test_plural_acronym_is_expanded_like_the_singular() -> None:
    assert "local child safeguarding practice review" in Glossary().expansions("LCSPRs published")


def test_lado_question_is_covered_by_a_passage_about_allegations_against_staff() -> None:
    q = "how many LADO referrals did stockton have"
    gaps = evidence_gaps(Query(q, tuple(Glossary().expansions(q))),
                         "Stockton received 104 referrals in relation to allegations against staff.", VOCAB)
    assert gaps.hard == ()


def test_unknown_specific_term_is_a_hard_gap_wherever_it_stands_in_the_question() -> None:
    # The term is neither the last word nor one of several unknown words: it must still count.
    q = "does the FGM duty apply to children in Hartlepool"
    gaps = evidence_gaps(Query(q, ()), "Children in Hartlepool: the partnership's training offer.", VOCAB)
    assert "FGM" in gaps.hard


def test_known_terms_leave_no_hard_gap() -> None:
    q = "training for staff in Hartlepool"
    gaps = evidence_gaps(Query(q, ()), "Staff training in Hartlepool continued online.", VOCAB)
    assert gaps.hard == ()


def test_a_year_the_passage_lacks_is_a_hard_gap() -> None:
    q = "referrals in Stockton in 2019-20"
    gaps = evidence_gaps(Query(q, ()), "Stockton referrals 2020-21: 104.", VOCAB)
    assert "2019-20" in gaps.hard


def test_lower_case_acronym_is_expanded_but_an_english_word_is_not() -> None:
    g = Glossary()
    assert "youth offending team" in g.expansions("is the yot in the partnership")
    assert "designated safeguarding lead" in g.expansions("ask the dsl")
    assert g.expansions("is there an ace up his sleeve") == []  # "ace" is a word, ACE an acronym


def test_definition_question_is_answered_by_a_passage_that_spells_the_acronym_out() -> None:
    from assistant.evidence import spells_out

    passage = "- Receiving recommendations from relevant Performance Management Framework (PMF) groups"
    assert spells_out("what does PMF mean in the engine room bit", passage)
    assert spells_out("what does pmf stand for", passage)
    assert not spells_out("what does PMF mean", "The Engine Room meets every 6 weeks.")
    assert not spells_out("who chairs the PMF groups", passage)  # not a definition question
