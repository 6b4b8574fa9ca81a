"""Follow-up questions made to stand alone before retrieval (no model needed)."""

from __future__ import annotations

from assistant.followup import needs_context, resolve


def test_place_swap_follow_up() -> None:
    assert resolve("and in Stockton?", ["how many children are home educated in Hartlepool?"]) == \
        "how many children are home educated in Stockton?"


def test_standalone_question_is_left_alone() -> None:
    q = "what is the Children's Hub contact number in Stockton"
    assert resolve(q, ["how many children are home educated in Hartlepool?"]) == q


def test_follow_up_of_a_follow_up_keeps_the_first_topic() -> None:
    resolved = resolve("and in stockton", ["marac cases hartlepool 2020-21", "how many kids were involved in them"])
    assert "marac" in resolved and "stockton" in resolved and "hartlepool" not in resolved


def test_chain_is_bounded() -> None:
    history = ["missing episodes hartlepool"] + ["and that?"] * 50
    assert "missing" not in resolve("and them?", history)  # only the last few turns are followed


def test_the_year_before_shifts_the_earlier_questions_year() -> None:
    history = ["how much money did the partnership get in 2020-21"]
    assert resolve("what about the year before?", history) == "how much money did the partnership get in 2019-20"
    assert resolve("and the year after", ["referrals in 2019/2020 stockton"]) == "referrals in 2020/2021 stockton"


def test_a_new_phrase_takes_the_place_of_the_earlier_one() -> None:
    assert resolve("and the engine room?", ["how often does the hsscp exec meet?"]) == "how often does the engine room meet?"
    assert resolve("and the annual hsscp one?", ["when is the teeswide HOTH conference?"]) == \
        "when is the annual hsscp conference?"
    assert resolve("and the annual HSSCP one?", ["is there a HOTH conference coming up"]) == \
        "is there an annual HSSCP conference coming up"


def test_a_phrase_that_points_back_is_not_swapped_in() -> None:
    resolved = resolve("and the stats for that?", ["what is the CSAFE deep dive"])
    assert "CSAFE deep dive" in resolved


def test_a_generic_the_phrase_points_back_to_the_earlier_question() -> None:
    from assistant.followup import split_follow_up

    resolved = resolve("who's leading on the recommendations?", ["what was the december multi agency audit about"])
    assert resolved == "who's leading on the recommendations? (what was the december multi agency audit about)"
    assert split_follow_up(resolved) == ("who's leading on the recommendations?", "what was the december multi agency audit about")
    assert split_follow_up("how many kids live in hartlepool") == ("how many kids live in hartlepool", "")
    # A question that names what it is about stands alone.
    assert resolve("what were the recommendations of the CSAFE deep dive", ["what was the december audit about"]) \
        == "what were the recommendations of the CSAFE deep dive"


def test_who_is_acting_on_recommendations_is_not_asking_what_they_were() -> None:
    from assistant.findings import missing_findings

    q = "who's dealing with the recommendations? (what did the december audit find)"
    assert not missing_findings(q, "Recommendations from the audit are being addressed by the HSSCP Engine Room.")
    assert missing_findings("what did the december audit recommend", "The audit took place in December.")


def test_the_second_one_points_back_to_the_earlier_question() -> None:
    resolved = resolve("what was the second one about?", ["what multi-agency audits did the partnership do in 2020-21?"])
    assert resolved == "what multi-agency audits did the partnership do in 2020-21 what was the second one about"


def test_the_year_before_without_a_year_to_shift_is_carried_not_swapped_in() -> None:
    # No year in the earlier question: "the year before" must not replace "a child protection plan".
    resolved = resolve("and the year before?", ["how many children were on a child protection plan in stockton?"])
    assert resolved == "how many children were on a child protection plan in stockton the year before"


def test_a_follow_up_that_is_its_own_question_leads_and_carries_the_earlier_one() -> None:
    resolved = resolve("and what did they actually spend in 2020-21?", ["how much money did the partnership carry over"])
    assert resolved == "and what did they actually spend in 2020-21? (how much money did the partnership carry over)"
    assert resolve("and how much was spent?", ["hsscp income 2020-21"]) == "and how much was spent? (hsscp income 2020-21)"
    # "which one", "the second one" pick from the earlier answer: they join the earlier question.
    assert resolve("which one was most popular?", ["how many e-learning sessions were completed?"]) == \
        "how many e-learning sessions were completed which one was most popular"


def test_a_short_figure_question_naming_no_place_inherits_the_earlier_place() -> None:
    resolved = resolve("how many were re-referrals?", ["how many referrals went to childrens social care in stockton in 2020-21"])
    assert resolved == "how many were re-referrals? (how many referrals went to childrens social care in stockton in 2020-21)"
    # A question naming its own place, or asking no figure, stands alone.
    assert resolve("how many referrals in hartlepool", ["marac cases stockton"]) == "how many referrals in hartlepool"
    assert resolve("what is a seven minute briefing", ["marac cases stockton"]) == "what is a seven minute briefing"


def test_the_thematic_ones_and_the_key_learning_points_point_back() -> None:
    assert resolve("which ones are the thematic ones?", ["what are the partnership's priorities for 2021-22"]) \
        == "which ones are the thematic ones? (what are the partnership's priorities for 2021-22)"
    assert resolve("what were the key learning points?", ["has the amber and joshua review been published"]) \
        == "what were the key learning points? (has the amber and joshua review been published)"


def test_the_other_area_is_the_partnerships_other_area() -> None:
    assert resolve("what about the other area?", ["how many children in hartlepool were there when domestic abuse happened"]) \
        == "how many children in Stockton were there when domestic abuse happened"
    assert resolve("and the other area?", ["looked after children in Stockton-on-Tees"]) == "looked after children in Hartlepool"
    # Both areas named: no single other one, so the question is carried as before.
    assert "the other area" in resolve("and the other area?", ["schools in Stockton and Hartlepool"])


def test_a_follow_up_asking_where_or_when_is_its_own_question_about_the_earlier_subject() -> None:
    # All its words are filler, yet it asks something new: it leads, and the earlier question is carried.
    assert resolve("where do I find them?", ["what safeguarding procedures got updated this quarter"]) == \
        "where do I find them? (what safeguarding procedures got updated this quarter)"
    assert resolve("when did it finish?", ["what deep dives did the partnership do in 2019-20"]) == \
        "when did it finish? (what deep dives did the partnership do in 2019-20)"


def test_a_described_generic_thing_points_back_to_the_earlier_question() -> None:
    assert resolve("who took part in the facilitated event?", ["What methodology was used for the Child M review?"]) == \
        "who took part in the facilitated event? (What methodology was used for the Child M review)"
    # A question with more of its own to say stands alone.
    q = "how many practitioners attended the planned training sessions in hartlepool last year"
    assert resolve(q, ["What methodology was used for the Child M review?"]) == q


def test_a_place_takes_the_place_of_a_place() -> None:
    # "Attainment" is capitalised too; the place asked about replaces the earlier place.
    assert resolve("and stockton's?", ["what's the average Attainment 8 score in Hartlepool?"]) == \
        "what's the average Attainment 8 score in stockton?"


def test_the_figure_for_another_place_is_the_earlier_figure_there() -> None:
    earlier = ["how many kids are growing up poor in hartlepool"]
    assert resolve("what's the figure for stockton?", earlier) == "how many kids are growing up poor in stockton"
    assert resolve("stockton figures", earlier) == "how many kids are growing up poor in stockton"
    # More than a place beside the figure: its own question.
    assert not needs_context("what are the figures for stockton looked after children")


def test_the_new_procedure_points_back_to_what_the_earlier_question_led_to() -> None:
    earlier = ["what came out of the Eve serious case review?"]
    assert resolve("where can I find the new procedure?", earlier) == \
        "where can I find the new procedure? (what came out of the Eve serious case review)"
    assert resolve("where can I find the neglect procedure?", earlier) == "where can I find the neglect procedure?"


def test_a_bare_choice_is_about_the_earlier_question() -> None:
    earlier = ["how many training sessions did HSSCP deliver in Q3 2025-26?"]
    assert needs_context("face to face or online?")
    assert resolve("face to face or online?", earlier) == "face to face or online? (" + earlier[0][:-1] + ")"
    # Typed as search words, or with a subject of its own, it is its own question.
    assert not needs_context("lado or mash")
    assert not needs_context("is the hoth conference face to face or online?")


def test_a_new_thing_takes_the_place_of_the_thing_not_of_what_is_asked_of_it() -> None:
    earlier = ["what's the date of the Teeswide HOTH conference?"]
    assert resolve("and the learning from reviews briefings?", earlier) == \
        "what's the date of the learning from reviews briefings?"
    # With only an attribute phrase to replace, it is replaced as before.
    assert resolve("and the venue?", ["what's the date?"]) == "what's the venue?"


def test_what_was_it_about_asks_its_own_question_of_the_earlier_subject() -> None:
    earlier = ["how many people went to the themed conference in 2020-21?"]
    assert resolve("what was it about?", earlier) == \
        "what was it about? (how many people went to the themed conference in 2020-21)"


def test_a_new_phrase_with_the_same_head_keeps_whose_it_is() -> None:
    assert resolve("and the postal address?", ["whats the hsscp email address"]) == "whats the hsscp postal address"
    assert resolve("and the engine room?", ["how often does the hsscp exec meet?"]) == "how often does the engine room meet?"


def test_what_to_do_about_it_asks_its_own_question_after_lead_words() -> None:
    earlier = ["what did the child M review say about info parents self-report?"]
    assert resolve("ok so what should we actually be doing about it?", earlier) == \
        "ok so what should we actually be doing about it? (what did the child M review say about info parents self-report)"
