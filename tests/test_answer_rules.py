"""The glossary and the evidence-gap rules that decide `found`, without the embedding model."""

from __future__ import annotations

import pytest

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


def test_online_courses_are_the_documents_e_learning_and_online_delivery_their_virtual() -> None:
    g = Glossary()
    assert "e-learning" in g.expansions("how many online safeguarding courses did people finish in 20-21?")
    assert "virtual" not in g.expansions("how many online safeguarding courses did people finish?")
    assert "virtual" in g.expansions("is the training face to face or online?")
    assert "e-learning" not in g.expansions("is the training face to face or online?")


def test_being_part_of_the_partnership_reaches_the_relevant_agencies_it_names() -> None:
    g = Glossary()
    assert "partners relevant agencies" in g.expansions("is probation part of the partnership")
    assert "partners relevant agencies" in g.expansions("are schools involved in the safeguarding partnership?")
    assert "partners relevant agencies" not in g.expansions("what does the partnership do")


def test_who_is_on_a_group_asks_for_its_membership() -> None:
    g = Glossary()
    assert "membership partners" in g.expansions("who is on the executive?")
    assert "membership partners" in g.expansions("who sits on the engine room")
    assert "membership partners" not in g.expansions("who is the business manager?")


def test_when_the_partnership_started_is_when_it_went_live() -> None:
    g = Glossary()
    for question in ("when did the partnership go live?", "when did the partnership start?", "when was hsscp set up?"):
        assert "went live" in g.expansions(question), question
    assert "went live" not in g.expansions("when does the training start?")


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


def test_a_question_asking_for_a_phone_number_needs_a_passage_with_one() -> None:
    from assistant.evidence import missing_kinds

    q = "what's the phone number for the children's hub"
    assert missing_kinds(q, "The Children's Hub received 444 contacts a month (101 of them online).") == ["a phone number"]
    assert missing_kinds(q, "Contact the Children's Hub on 01429 523825.") == []
    assert missing_kinds("LADO phone number", "Call the LADO on 01632 960 150") == []
    assert missing_kinds("out of hours emergency duty team number", "ring 999 in an emergency") == []


def test_each_kind_of_fact_is_looked_for_only_when_asked_for() -> None:
    from assistant.evidence import missing_kinds

    assert missing_kinds("whats the web address to sign up for melearning", "Sign up on the MeLearning platform.") \
        == ["a web address"]
    assert missing_kinds("whats the web address to sign up", "Sign up at www.example.org.uk/learning") == []
    assert missing_kinds("what time do the briefings start", "Briefings run in March at Hartlepool.") == ["a time of day"]
    assert missing_kinds("what time do the briefings start", "Briefings start at 9.30am.") == []
    assert missing_kinds("hsscp email", "Email hsscp@hartlepool.gov.uk") == []
    assert missing_kinds("how many page views did the website get", "25,490 page views") == []
    assert missing_kinds("how many contacts did the hub get", "no figure here") == []


def test_a_missing_kind_of_fact_is_a_hard_gap() -> None:
    q = "whats the phone number for the childrens hub"
    gaps = evidence_gaps(Query(q, ()), "The childrens hub had 444 contacts per month.", VOCAB)
    assert "a phone number" in gaps.hard


def test_a_one_letter_review_name_is_a_name() -> None:
    q = "what were the findings of the Child T LCSPR"
    gaps = evidence_gaps(Query(q, ()), "National findings from the Sara review were shared with staff.", VOCAB)
    assert "Child T" in gaps.hard
    assert evidence_gaps(Query("is a child a victim here", ()), "a child a victim", VOCAB).hard == ()


def test_a_findings_question_needs_a_passage_that_says_what_was_found() -> None:
    from assistant.findings import missing_findings

    q = "what did the EMMA review actually find"
    assert missing_findings(q, "The EMMA LCSPR was concluded and a Report and Executive Summary published.")
    assert not missing_findings(q, "The EMMA LCSPR identified poor information sharing between agencies.")
    audit = "what did the december audit on kids mental health find"
    assert not missing_findings(audit, "An audit took place in December on Mental Health. "
                                       "Good practice highlighted at the audit included the child's voice.")
    assert not missing_findings("how many audits were there", "no findings here at all")
    # "Learning themes identified in" a review asks what it found; another review's themes do not answer.
    themes = "What learning themes were identified in the EMMA LCSPR?"
    assert missing_findings(themes, "The EMMA LCSPR was concluded and a Report and Executive Summary published.\n"
                                    "The Child T LCSPR was finalised and the report published.\n"
                                    "Key learning themes that were identified for Child M were explored at an event.")
    assert not missing_findings(themes, "The EMMA LCSPR identified themes of neglect and of information sharing.")


def test_a_recommendations_question_needs_recommendations_not_just_findings() -> None:
    from assistant.findings import missing_findings

    q = "what recommendations came out of the december children's mental health audit?"
    audit = "A multi-agency audit took place in December. Good practice highlighted included the child's voice."
    assert missing_findings(q, audit)
    assert not missing_findings(q, audit + " In December it recommended a shared chronology.")
    assert missing_findings("key messages from the amber and joshua 7 minute briefing",
                            "The 7-minute briefing from the Amber & Joshua LCSPR has now been published.")


def test_a_decline_says_what_the_closest_passages_lack() -> None:
    from assistant.answer import Composer
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Newsletter", "newsletter", "news.md", None, None, None, None, "h", None, None, 2, "", "")

    def hit(text: str) -> Hit:
        return Hit(Chunk(f"c{len(text)}", "d1", text), doc, 1.0)

    composer = Composer(CountingEmbedder())
    no_number = [hit("The Children's Hub received 444 contacts a month."), hit("The hub is open to all partners.")]
    assert composer._what_is_missing(Query("whats the phone number for the childrens hub", ()), no_number) \
        == " None of the closest passages gives a phone number."
    with_number = no_number + [hit("Call the hub on 01429 523825.")]
    assert composer._what_is_missing(Query("whats the phone number for the childrens hub", ()), with_number) == ""
    review = [hit("The EMMA LCSPR was concluded and a report published.")]
    assert "what was found" in composer._what_is_missing(Query("what did the EMMA review find", ()), review)
    assert composer._what_is_missing(Query("how many contacts did the hub get", ()), no_number) == ""


def test_a_passage_filed_under_the_named_review_is_its_account() -> None:
    from assistant.findings import missing_findings

    text = "When working with families, much of the information comes from them directly."
    q = "what did the Child M review find"
    assert missing_findings(q, text)
    assert not missing_findings(q, text, "Annual Report Local Child Safeguarding Practice Review - Child M > Self-Reported Information")
    assert missing_findings(q, text, "Annual Report Case Reviews")


def test_a_year_is_not_a_count_but_a_number_of_things_is() -> None:
    from assistant.sentences import counts_something as _counts_something

    assert not _counts_something("The partnership undertook audits during 2020-21.")
    assert not _counts_something("It was completed in September 2020.")
    assert _counts_something("In 2020-21 HSSCP undertook six Rapid Reviews.")
    assert _counts_something("2003 children witnessing a domestic abuse incident")


def test_contact_details_are_recognised_as_a_contact_block() -> None:
    from assistant.signals import contact_block

    assert contact_block("HSSCP CETL Brierton Lane Hartlepool, TS25 4AF Tel: 01429 523825 Email: HSSCP@hartlepool.gov.uk")
    assert not contact_block("This income ensured that the overall cost of running HSSCP was met.")


def test_a_when_question_needs_a_date_beside_its_subject() -> None:
    from assistant.evidence import missing_date

    q = "when is the Child RAC review expected to finish"
    assert missing_date(q, "There are currently 2 reviews underway for both Child JSW and Child RAC.")
    assert not missing_date(q, "The Child RAC review is expected to finish in June 2026.")
    csafe = "when will the updated CSAFE procedures be published"
    assert missing_date(csafe, "The Tees procedures are updated every six months. The group is updating the CSAFE pathway.") is False
    assert missing_date(csafe, "The Tees procedures were last updated in September 2025.")  # not about CSAFE
    assert not missing_date("When did HSSCP go live?", "The HSSCP went live in April 2019, replacing the LSCBs.")
    assert not missing_date("did meetings stop when covid hit", "no date here")  # not a when-question
    # A date in the title or section (a newsletter's quarter) is not the date of the thing asked about.
    assert missing_date("when is the next conference", "The annual conference is being planned.",
                        "HSSCP Newsletter Quarter 3 2025-26 Key Events > Conferences")


def test_a_breakdown_question_needs_the_figure_for_what_it_counts_by() -> None:
    from assistant.figures import breakdown_asked, missing_breakdown

    overall = "In 2020-21, 2003 children were present at a domestic abuse incident."
    follow_up = "how many kids were present at domestic abuse incidents in hartlepool how many of them were under 5"
    assert breakdown_asked(follow_up) == "under 5"
    assert missing_breakdown(follow_up, overall) == ["5"]
    # A number counts only beside the word it came with: "5 mainstream secondary" is not "under 5".
    assert missing_breakdown(follow_up, "There are 38 schools with 5 mainstream secondary schools.") == ["5"]
    assert missing_breakdown(follow_up, "Of these, 410 were under 5.") == []
    neglect = "how many of the hartlepool child protection plans were under the neglect category?"
    assert missing_breakdown(neglect, "There were 120 children on child protection plans.", "About Hartlepool") == ["neglect"]  # "category" is how, not what, it counts by
    assert missing_breakdown(neglect, "Neglect was the category for 61 of the child protection plans.", "About Hartlepool") == []
    # The figure must be in the sentence (or the next one) that names the breakdown, not elsewhere in the passage.
    assert missing_breakdown("how many cases were looked at in the december audit",
                             "An audit took place in December. It was well attended. There were 12 partners.") != []
    # The breakdown must be of what is counted: the split of EHC plans is not the home educated children's.
    home = "how many of the home educated kids in stockton are secondary age"
    stockton = ("The number of children who are home educated is 191. It is monitored annually. Most schools are good. "
                "The number of children with EHC Plans is 1667 (649 primary age children, 701 secondary, 317 post-16).")
    assert missing_breakdown(home, stockton) == ["secondary", "age"]
    assert missing_breakdown(home, "Of the 191 home educated children, 120 are of secondary age.") == []


def test_a_breakdown_is_covered_by_either_side_of_an_or_and_by_the_documents_words() -> None:
    from assistant.figures import missing_breakdown

    assert missing_breakdown("what percentage of hartlepool schools are rated good or outstanding by ofsted",
                             "87% of schools are rated good by Ofsted.") == []
    assert missing_breakdown("how many of those were kids in care? (how many missing episodes were there)",
                             "There were 150 missing episodes by 38 looked after young people.") == []
    # The opening verb is not what is counted by; the rest is.
    assert missing_breakdown("how many children were flagged as at risk of criminal exploitation",
                             "45 children were at risk of sexual exploitation.") == ["criminal"]
    assert missing_breakdown("how many children were flagged as at risk of sexual exploitation",
                             "45 children were at risk of sexual exploitation.") == []


def test_only_breakdown_questions_are_checked_for_one() -> None:
    from assistant.figures import breakdown_asked, missing_breakdown

    assert breakdown_asked("how many times were staff accused of something") == ""  # "times were" is not a breakdown
    assert breakdown_asked("how many training sessions did hsscp run") == ""
    assert missing_breakdown("what did the audit find", "nothing countable") == []
    # A resolved follow-up's earlier question (in brackets) is not asked again.
    assert breakdown_asked("how many of those got a return home interview? (how many kids were missing in 2020-21)") \
        == "a return home interview"


def _decline_reason(question: str, *texts: str) -> str:
    """What a decline would say is missing, over passages with these texts (no model needed)."""
    from assistant.answer import Composer
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Annual report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    hits = [Hit(Chunk(f"c{i}", "d1", text), doc, 1.0) for i, text in enumerate(texts)]
    return Composer(CountingEmbedder())._what_is_missing(Query(question, ()), hits)


def test_a_decline_names_the_breakdown_no_passage_gives() -> None:
    reason = _decline_reason("how many of them were boys", "352 missing episodes by 151 young people.")
    assert reason == ' None of the closest passages gives a figure for "boys".'


def test_a_figure_for_another_area_does_not_answer() -> None:
    from assistant.figures import missing_place

    q = "what was the average attainment 8 score in stockton?"
    hartlepool = "Hartlepool has a population of 93,663.\n- Average Attainment 8 score is 46.8"
    assert missing_place(q, hartlepool, "About Hartlepool > Hartlepool Demographics") == "Stockton"
    assert missing_place(q, "- Average Attainment 8 score is 45.1", "About Stockton-on-Tees > Stockton Demographics") == ""
    # A figure filed under neither area, or a question naming both or none, is left to the other checks.
    assert missing_place(q, "Average Attainment 8 score is 46.8", "Education") == ""
    assert missing_place("attainment 8 in hartlepool and stockton", hartlepool, "About Hartlepool") == ""
    assert missing_place("what does the stockton early help team do", hartlepool, "About Hartlepool") == ""
    # Typed without the apostrophe, the area is still the one asked about.
    assert missing_place("what was stocktons attainment 8 score", hartlepool, "About Hartlepool") == "Stockton"


def test_a_quarter_the_passage_lacks_is_a_hard_gap() -> None:
    q = "serious incident notifications q2 2025-26"
    other = "HSSCP Newsletter Quarter 3 2025-26 0 Serious Incident Notifications were received during this quarter."
    assert "q2" in evidence_gaps(Query(q, ()), other, None).hard
    assert evidence_gaps(Query("training sessions delivered q3", ()), "Newsletter Quarter 3 2025-26 training sessions delivered",
                         None).hard == ()


def test_a_who_holds_the_role_question_needs_a_named_person() -> None:
    from assistant.people import missing_person, names_a_person

    assert names_a_person("Dave Pickard\nHSSCP Independent Chair")
    assert not names_a_person("the HSSCP Business Manager and the HSSCP Independent Chair")
    assert not names_a_person("Identification of Key Lines Of Enquiry (KLOE) for Tees Valley partners")
    assert not names_a_person("The HSSCP Priorities Sub-Group are working on the HSSCP Business Plan")
    signature = "After seven years as Independent Chair I am standing down.\nDave Pickard\nHSSCP Independent Chair"
    assert missing_person("who was the independent chair", signature) == ""
    assert missing_person("who is the HSSCP business manager",
                          "Membership is the Statutory Safeguarding Partners, the HSSCP Business Manager and the Chair.") == "a name"
    # Standing down is not being replaced: a successor needs a sentence about the succession naming someone.
    assert missing_person("who replaced Dave Pickard as independent chair", signature) == "a name"
    assert missing_person("who took over as chair", "Sarah Whitfield was appointed as the new Independent Chair in May.") == ""
    # The search-box form asks for the name too.
    structure = "Membership is the Statutory Safeguarding Partners, the HSSCP Business Manager and the Chair."
    assert missing_person("hsscp business manager name", structure) == "a name"
    assert missing_person("what's the independent chair's name", signature) == ""
    # The head or boss of the partnership is its chair.
    assert missing_person("who was the head of the safeguarding partnership in 2020-21?", signature) == ""
    assert missing_person("who was the boss of the partnership", signature) == ""
    assert missing_person("whos the top person who wrote the intro to the annual report", signature) == ""
    # Not asking who holds a role: left to the other checks.
    assert missing_person("who is the trauma informed active learning event aimed at", "no names") == ""
    assert missing_person("who makes the final decision in an escalation", "no names") == ""
    # Who heads something: a person, a role or whoever leads it, beside what is headed.
    team = "HSSCP delivered a Conference in November 2020.\nPolice now have dedicated Child Exploitation Team (CET)."
    assert missing_person("who heads up the police child exploitation team?", team) == "who heads it"
    assert missing_person("who is in charge of the police child exploitation team", team) == "who heads it"
    assert missing_person("who is in charge of the police child exploitation team",
                          "The Child Exploitation Team is led by a Detective Inspector.") == ""
    assert missing_person("who heads the hsscp", signature.replace("Independent", "HSSCP Independent", 1)) == ""
    assert missing_person("who manages the exploitation team", "The Business Manager chairs the exploitation team.") == ""


def test_where_to_find_a_document_asks_for_a_web_address_and_where_an_event_is_held_for_a_venue() -> None:
    from assistant.evidence import asked_kinds, missing_kinds

    assert asked_kinds("where do I find the tees safeguarding procedures") == ["a web address"]
    assert asked_kinds("where is the early help referral form for Stockton") == ["a web address"]
    assert missing_kinds("where do I find the tees safeguarding procedures",
                         "The procedures are at www.teescpp.org.uk and are updated every six months.") == []
    assert asked_kinds("where's the teeswide HOTH conference being held") == ["a venue"]
    conference = "The HOTH group are delivering a Teeswide HOTH Conference which will take place on 18th March 2026."
    assert missing_kinds("where's the teeswide HOTH conference being held", conference) == ["a venue"]
    assert missing_kinds("where's the conference being held", "The conference will be held at the Hartlepool Civic Centre.") == []
    # "Where" that asks neither: where recommendations went, where information came from.
    assert asked_kinds("where did the recommendations from the missing kids deep dive go") == []
    assert asked_kinds("why does it matter to write down where a bit of information came from") == []


def test_a_how_many_days_question_needs_a_time_limit_not_any_number_of_days() -> None:
    from assistant.evidence import missing_kinds

    q = "how many days do I have to hold an initial child protection conference after a strategy discussion"
    assert missing_kinds(q, "The partnership undertook two multi-agency audit days during 2020-21.") == ["a time limit"]
    assert missing_kinds(q, "258 domestic abuse incidents witnessed by children within 12 months of a similar incident") \
        == ["a time limit"]
    assert missing_kinds(q, "The conference must be held within 15 working days of the strategy discussion.") == []
    assert missing_kinds("how quickly should a missing child get a return home interview",
                         "An independent return home interview should be offered within 72 hours.") == []


def test_the_search_vector_averages_the_question_with_its_expanded_form() -> None:
    import numpy as np

    from assistant.retrieval import Retriever
    from tests.fakes import CountingEmbedder

    retriever = Retriever(None, CountingEmbedder(), glossary=Glossary())  # type: ignore[arg-type]  # no index needed
    plain = Query("how often does the hsscp exec meet")
    expanded = Query("how often does the hsscp exec meet", ("hartlepool and stockton-on-tees safeguarding children partnership",))
    qvec = retriever.embed_query(expanded.dense_text)
    svec = retriever.search_vector(expanded, qvec)
    own = retriever.embed_query(expanded.text)
    assert np.isclose(np.linalg.norm(svec), 1.0, atol=1e-5)
    assert np.allclose(svec, (own + qvec) / np.linalg.norm(own + qvec), atol=1e-6)
    assert np.allclose(retriever.search_vector(plain, qvec), qvec)  # no expansions: the same vector



def test_a_question_and_its_expanded_form_are_embedded_in_one_call_and_cached() -> None:
    import numpy as np

    from assistant.retrieval import Retriever
    from tests.fakes import CountingEmbedder

    embedder = CountingEmbedder()
    retriever = Retriever(None, embedder, glossary=Glossary())  # type: ignore[arg-type]  # no index needed
    expanded = Query("who chairs the lcspr group", ("local child safeguarding practice review",))
    qvec, svec = retriever.query_vectors(expanded)
    assert embedder.calls == 1
    own = embedder.embed([expanded.text])[0]
    assert np.allclose(qvec, embedder.embed([expanded.dense_text])[0], atol=1e-6)
    assert np.allclose(svec, (own + qvec) / np.linalg.norm(own + qvec), atol=1e-6)
    calls = embedder.calls
    again = retriever.query_vectors(expanded)  # asked again: both vectors come from the cache
    assert embedder.calls == calls and np.allclose(again[1], svec)

def test_how_much_a_named_payer_paid_needs_a_figure_for_that_payer() -> None:
    from assistant.figures import breakdown_asked, missing_breakdown

    q = "how much does cleveland police pay into the partnership budget"
    assert breakdown_asked(q) == "cleveland police"
    assert missing_breakdown(q, "Partner agencies continued to contribute. Total income 250,000.") == ["cleveland", "police"]
    assert missing_breakdown(q, "Cleveland Police contributed 40,000 to the budget.") == []


def test_name_of_the_role_and_main_learning_points_are_recognised() -> None:
    from assistant.findings import missing_findings
    from assistant.people import missing_person

    assert missing_person("name of the hsscp business manager", "the HSSCP Business Manager and the Chair") == "a name"
    assert missing_findings("what were the main learning points from the amber and joshua review",
                            "The 7-minute briefing from the Amber & Joshua LCSPR has now been published.")


def test_a_decline_names_a_missing_person() -> None:
    reason = _decline_reason("who is the HSSCP business manager",
                             "The Executive is the four partners, the HSSCP Business Manager and the Chair.")
    assert reason == " None of the closest passages names the person."


def test_who_chairs_a_group_needs_a_sentence_about_chairing_that_group() -> None:
    from assistant.people import missing_person

    q = "who chairs the tees HOTH group?"
    assert missing_person(q, "The Tees HOTH group met for a multi-agency development day in October.") == "who chairs it"
    assert missing_person(q, "Tees wide groups report to the Independent Chair.") == "who chairs it"  # not the HOTH group
    assert missing_person(q, "The Tees HOTH group is chaired by a Cleveland Police superintendent.") == ""
    # A role named without a person is an answer to "who chairs": rota, partner, police.
    assert missing_person("who chairs the engine room", "The Engine Room is chaired by a statutory partner on a rota basis.") == ""


def test_how_many_attended_needs_an_attendance_figure_for_that_event() -> None:
    from assistant.figures import missing_attendance

    q = "how many people came to the professional disagreement briefing in november"
    assert missing_attendance(q, "The Professional Disagreement briefing has been delivered to practitioners in November.")
    assert missing_attendance(q, "In 2020-21, 1,233 people attended multi-agency training.")  # another event
    assert not missing_attendance(q, "The professional disagreement briefing in November was attended by 45 practitioners.")
    assert not missing_attendance("how many people went to them? (training sessions this quarter)",
                                  "Sessions were attended by 310 delegates.")  # "them": any attendance figure
    assert not missing_attendance("how many training sessions were run", "no figure")  # not asked


def test_a_year_money_was_carried_into_or_from_is_not_the_year_asked_about() -> None:
    finance = "This income ensured the cost of running HSSCP was met, with a carry forward of £151,436 into 2021-22."
    assert "2021-22" in evidence_gaps(Query("what was the hsscp's income for 2021-22", ()), finance, None).hard
    assert evidence_gaps(Query("how much money was carried over into 2021-22", ()), finance, None).hard == ()
    reviews = "HSCB carry forward from 2019-20 | 102,040"
    assert "2019-20" in evidence_gaps(Query("how many rapid reviews did hsscp carry out in 2019-20", ()), reviews, None).hard
    assert evidence_gaps(Query("did any money come from 2019-20", ()), reviews, None).hard == ()


def test_reserves_carried_forward_into_a_year_are_that_years_reserves() -> None:
    finance = "This income ensured the cost of running HSSCP was met, with a total carry forward of £151,436 into 2021-22."
    assert evidence_gaps(Query("HSSCP reserves carried forward 2021-22", ()), finance, None).hard == ()
    assert "2021-22" in evidence_gaps(Query("HSSCP income 2021-22", ()), finance, None).hard


def test_breakdown_by_a_category_and_a_lone_adjective_are_what_is_counted_by() -> None:
    from assistant.figures import breakdown_asked, missing_breakdown

    plans = "- 245 children subject to a Child Protection Plan"
    by_category = "breakdown of hartlepool child protection plans by category - neglect, emotional abuse etc"
    assert breakdown_asked(by_category) == "category - neglect, emotional abuse etc"
    assert missing_breakdown(by_category, plans, "About Hartlepool") == ["neglect", "emotional", "abuse"]
    assert missing_breakdown("ethnicity breakdown of children in stockton", plans) == ["ethnicity"]
    schools = "There are 81 schools in Stockton with 13 secondary. 93.6% of Stockton schools are good or better."
    assert missing_breakdown("how many stockton secondary schools are outstanding", schools) == ["outstanding"]
    assert missing_breakdown("how many stockton secondary schools are outstanding",
                             "Of the 13 secondary schools in Stockton, 4 are outstanding.") == []


def test_children_in_the_house_are_the_children_present_not_a_breakdown() -> None:
    from assistant.figures import missing_breakdown

    present = "- 1305 children present during a domestic abuse incident"
    q = "how many kids were in the house during domestic violence incidents in hartlepool"
    assert missing_breakdown(q, present, "About Hartlepool > Hartlepool Safeguarding") == []


def test_a_passage_that_only_names_the_findings_does_not_say_what_was_found() -> None:
    from assistant.findings import missing_findings

    topic_only = ("The partnership undertook two multi-agency audit days. The first being on the theme of Domestic "
                  "Abuse; the output of which has fed into one of HSSCP's key priorities for the coming year.")
    assert missing_findings("what did the domestic abuse audit day find?", topic_only)
    named = ("Following the CSAFE Deep Dive, a group will be leading on the implementation of the recommendations that "
             "were made.")
    assert missing_findings("what did the CSAFE deep dive recommend", named)
    given = "The CSAFE deep dive recommended that the referral pathway is updated."
    assert not missing_findings("what did the CSAFE deep dive recommend", given)
    assert not missing_findings("what did the domestic abuse audit find?",
                                "The domestic abuse audit identified good information sharing.")
    progress = ("Recommendations from the audit are being addressed by the Engine Room. Following the publication of "
                "the Sara Sherif LCSPR, HSSCP will incorporate any relevant learning so that national findings are addressed.")
    assert missing_findings("what did the sara sherif review find about home education", progress)
    assert missing_findings("what were the main failings in the sara sharif review", progress)
    assert missing_findings("what has the child JSW review found so far",
                            "There are currently 2 LCSPR reviews underway for both Child JSW and Child RAC.")
    # "what have they found so far" asks for findings too.
    assert missing_findings("are any lcspr underway what have they found so far",
                            "There are currently 2 LCSPR reviews underway for Child JSW and Child RAC.")


def test_what_came_of_the_recommendations_is_not_asking_what_they_were() -> None:
    from assistant.findings import missing_findings

    passage = "The recommendations from the deep dive fed into the Contextual Safeguarding arrangements."
    assert not missing_findings("where did the recommendations from the missing kids deep dive go", passage)
    assert not missing_findings("What procedures were developed from the recommendations of the Eve SCR?", passage)
    assert not missing_findings("What procedure was developed as a result of the Eve SCR recommendations?", passage)
    assert missing_findings("what were the recommendations of the CSAFE deep dive", passage)


def test_a_sentence_in_the_documents_words_for_an_everyday_phrase_has_the_phrases_words() -> None:
    from assistant.sentences import as_meant, everyday_phrases
    from index.text import tokenize

    phrases = everyday_phrases("how many children in care are there in stockton")
    looked_after = "- 579 children and young people looked after"
    assert "care" in as_meant(set(tokenize(looked_after)), looked_after, phrases)
    ehc = "The number of children with Education, Health and Care (EHC) Plans in Stockton is 1667."
    assert "care" not in as_meant(set(tokenize(ehc)), ehc, phrases)  # "care" outside "in care"
    spend = everyday_phrases("how much did the partnership spend")
    assert set(tokenize("spend")) <= as_meant(set(tokenize("Expenditure | 247,291")), "Expenditure | 247,291", spend)
    # "how many" brings "number", which says nothing about what is counted.
    assert everyday_phrases("how many") == []


def test_a_figure_question_needs_a_figure_given_for_its_topic() -> None:
    from assistant.figures import missing_topic_figure, topic_words

    schools = "There are 81 schools in Stockton with 60 primary and 13 secondary schools."
    assert topic_words("attainment 8 stockton") == ["attainment"]
    assert missing_topic_figure("attainment 8 stockton", schools, "About Stockton-on-Tees")
    assert not missing_topic_figure("average attainment 8 score stockton", "- Average Attainment 8 score is 46.8")
    deep_dives = "The partnership commissioned deep dives into two key lines of enquiry during 2019-20."
    assert missing_topic_figure("how much money did the partnership get in 2019-20", deep_dives)
    assert not missing_topic_figure("how much money did the partnership get in 2020-21", "Income | 296,687",
                                    "Annual Report > About The Partnership > Financial Arrangements")
    # Everyday words through the documents' words: "run off from home" is missing episodes.
    assert not missing_topic_figure("how many times did kids run off from home in hartlepool",
                                    "- 352 missing episodes by 151 young people")
    assert topic_words("what did the audit find") == []  # not a figure question


def test_a_follow_up_figure_must_be_for_the_earlier_questions_subject() -> None:
    from assistant.figures import missing_topic_figure

    q = "how many cases did they look at? (what was the december audit on children's mental health)"
    assert missing_topic_figure(q, "- 150 cases discussed in MARAC (Multi-Agency Risk Assessment Conference)")
    assert not missing_topic_figure(q, "The December audit looked at 12 cases.")
    # A follow-up that names its own subject is judged on its own words.
    assert not missing_topic_figure("how many cases went to MARAC? (what was the december audit about)",
                                    "- 150 cases discussed in MARAC")


def test_the_year_before_needs_a_figure_compared_with_an_earlier_year() -> None:
    from assistant.figures import missing_earlier_year

    q = "how many referrals went into childrens social care in hartlepool the year before"
    assert missing_earlier_year(q, "- 1845 referrals to children's social care")
    assert not missing_earlier_year(q, "There were 1845 referrals to children's social care, up from 1702 the previous year.")
    assert missing_earlier_year(q, "The poverty rate is 38% (2020) compared to 30% in 2015.")  # not its topic
    assert not missing_earlier_year("how many referrals were there in 2019-20", "- 1845 referrals")  # a year named


def test_this_quarter_is_not_answered_by_the_annual_report() -> None:
    annual = "Hartlepool and Stockton Annual Report 2020-21 Training 1,185 people attended training."
    assert "this quarter" in evidence_gaps(Query("how many people went to them? (how many sessions ran this quarter)", ()),
                                           annual, None).hard
    newsletter = "HSSCP Newsletter Quarter 3 2025-26 Training Eight sessions have been delivered."
    assert "this quarter" not in evidence_gaps(Query("how many sessions ran this quarter", ()), newsletter, None).hard


def test_a_year_a_figure_and_the_topic_must_stand_in_one_sentence() -> None:
    from assistant.figures import missing_year_figure

    reviews = ("In 2020-21 HSSCP undertook six Rapid Reviews; four of which progressed to LCSPRs. Three of these "
               "were completed during 2020-21 and the fourth is scheduled to be completed during 2021-22.")
    assert missing_year_figure("how many rapid reviews were there in 2021-22", reviews) == ["2021-22"]
    assert missing_year_figure("how many rapid reviews were there in 2020-21", reviews) == []
    # A list item takes its year from the line that introduces it, a table row from the first row.
    listed = "Throughout 2020-21 there were approximately:\n- 2982 referrals to children's social care\n- 579 looked after"
    assert missing_year_figure("how many referrals were there in 2020-21", listed) == []
    table = "| Finance 2020 - 21 | £ |\n|---|---|\n| Income | 296,687 |"
    assert missing_year_figure("what was the income in 2020/21", table) == []
    # The year may come from the document's title.
    assert missing_year_figure("how many referrals in 2020-21", "- 2982 referrals", "Annual Report 2020-21") == []


def test_a_price_needs_a_figure_for_what_is_priced_and_each_partner_a_figure_per_partner() -> None:
    from assistant.figures import missing_breakdown, missing_topic_figure

    finance = "This income ensured that the overall cost of running HSSCP was met. Income | 296,687"
    assert missing_topic_figure("how much does it cost for a voluntary group to send staff on training", finance)
    q = "how much did each partner agency put into the hsscp budget?"
    assert missing_breakdown(q, "Partner agencies continued to contribute to the budget. Income | 296,687")
    assert missing_breakdown(q, "Cleveland Police contributed £40,000 and each council £60,000 to partner agency funding.") == []


def test_the_contents_of_principles_or_a_document_must_be_set_out_not_mentioned() -> None:
    from assistant.contents import missing_contents

    mention = ("The Sub-Group are producing promotional materials to draw attention to agreed trauma-informed "
               "principles, produce a toolkit which includes resources for practitioners.")
    assert missing_contents("what are the agreed trauma-informed principles", mention) == "what the principles are"
    set_out = "The agreed trauma-informed principles are: safety, trust, choice, collaboration and empowerment."
    assert missing_contents("what are the agreed trauma-informed principles", set_out) == ""
    assert missing_contents("what are the referral criteria for the dental pathway", "- Tees Dental Access Referral Pathway") \
        == "what the criteria are"
    assert missing_contents("what does the rough guide for recording say about writing chronologies",
                            "- Rough Guide for Recording and Report Writing") == "what it says about writing chronologies"
    assert missing_contents("what did the child M review say about working with dads?",
                            "The extent to which fathers are engaged can have an impact.") == ""  # "working" is generic
    assert missing_contents("how often does the exec meet", mention) == ""  # not a contents question
    assert missing_contents("what is the threshold for a referral?", mention) == "what the threshold is"
    # "the threshold document" is a document asked about, not the thresholds themselves
    assert missing_contents("what is the threshold document?", mention) == ""


def test_how_to_refer_needs_a_contact_beside_where_the_referral_goes() -> None:
    from assistant.evidence import missing_kinds

    q = "how do I refer a young person to Prevent for radicalisation"
    procedures = ("The Tees Safeguarding Procedures Group have updated procedures which are published on: "
                  "www.teescpp.org.uk\n- Concealed Pregnancy\n- Neglect Strategy\n- Children Missing Education")
    assert missing_kinds(q, procedures) == ["how to refer"]
    prevent = "To refer a concern about radicalisation to Prevent, email prevent@cleveland.police.uk."
    assert missing_kinds(q, prevent) == []
    assert missing_kinds("how do I make a referral to Ofsted about a nursery",
                         "84.2% of Hartlepool schools were judged good or better by Ofsted.") == ["how to refer"]


def test_a_rating_must_be_given_for_what_the_question_names() -> None:
    from assistant.contents import missing_rating

    schools = "With 84.2% of Hartlepool schools judged to be good or better by Ofsted, outcomes can be high."
    assert missing_rating("what did ofsted rate hartlepool children's services at the last inspection", schools)
    assert not missing_rating("what proportion of hartlepool schools are rated good by ofsted", schools)
    assert not missing_rating("how many schools are in hartlepool", schools)  # not a rating question


def test_every_word_of_what_is_counted_must_be_beside_the_figure() -> None:
    from assistant.figures import missing_topic_figure

    referrals = "Throughout 2020-21 there were:\n- 2982 referrals to children's social care"
    assert missing_topic_figure("how many prevent referrals were made in stockton", referrals)
    assert not missing_topic_figure("how many referrals were made in stockton", referrals)


def _select(question: str, *passages: tuple[str, tuple[str, ...]]) -> list[str]:
    """The sentences `Composer.select` quotes from passages (text, heading path), with the fake embedder."""
    from assistant.answer import Composer
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Annual report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    hits = [Hit(Chunk(f"c{i}", "d1", text, heading_path), doc, 1.0) for i, (text, heading_path) in enumerate(passages)]
    embedder = CountingEmbedder()
    return [u.text for u in Composer(embedder).select(Query(question, ()), embedder.embed([question])[0], hits,
                                                      lambda t: 1.0)]


def test_an_address_leading_the_answer_brings_no_other_line_of_its_passage(monkeypatch: pytest.MonkeyPatch) -> None:
    """"Where can I find them?": the address and the sentence it ends, not one item of the list of
    procedures updated this quarter that follows it in the same passage."""
    from assistant.answer import AnswerSettings, Composer
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    items = "\n".join(f"- Procedure number {n} for practitioners" for n in range(1, 11))
    text = ("The procedures group update the safeguarding procedures which are published on:\n\n"
            f"<https://www.teescpp.org.uk/>\n\nDuring this quarter the following guidance was updated:\n\n{items}")
    doc = DocumentRecord("d1", "Newsletter", "newsletter", "n.md", None, None, None, None, "h", None, None, 2, "", "")
    hits = [Hit(Chunk("c1", "d1", text, ("Newsletter", "Procedures")), doc, 1.0)]
    # The first item scores best of all (as a list item of procedures can), the address a little lower.
    monkeypatch.setattr(Composer, "_score_units", lambda self, query, qvec, hits, units, idf: [
        1.0 if "number 1 " in u.text else 0.95 if "teescpp" in u.text else 0.5 for u in units])
    embedder = CountingEmbedder()
    question = "where can I find the safeguarding procedures"
    chosen = [u.text for u in Composer(embedder, AnswerSettings(keep_within=0.1)).select(
        Query(question, ()), embedder.embed([question])[0], hits, lambda t: 1.0)]
    assert chosen == ["The procedures group update the safeguarding procedures which are published on:",
                      "<https://www.teescpp.org.uk/>"]


def test_where_is_a_procedure_is_answered_by_where_it_is_said_to_be_and_the_address() -> None:
    """"Where is the concealed pregnancy procedure?": one passage says it "can be found on the Tees
    Procedures website", another gives that website's address; together they answer it."""
    from assistant.answer import AnswerSettings, Composer
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    eve = ("A Tees-wide Concealed Pregnancy procedure has been developed from the Eve SCR and can be found "
           "on the Tees Procedures website.")
    site = ("The procedures group update the safeguarding procedures which are published on:\n\n"
            "<https://www.teescpp.org.uk/>\n\nDuring this quarter the following guidance was updated:\n\n- Neglect")
    hits = [Hit(Chunk("c1", "d1", site, ("Newsletter", "Procedures")), doc, 1.0, 0.5),
            Hit(Chunk("c2", "d1", eve, ("Report", "Reviews")), doc, 0.9, 0.5)]
    # Every passage close enough, but one missing most of the question's words needs to be very close:
    # the address passage alone would not do.
    settings = AnswerSettings(found_dense=2.0, found_dense_low=-1.0, sentence_discount=0.0)
    embedder = CountingEmbedder()
    question = "where is the concealed pregnancy procedure?"
    answer = Composer(embedder, settings).compose(question, Query(question, ()), embedder.embed([question])[0], hits)
    assert answer.found
    assert "<https://www.teescpp.org.uk/>" in answer.answer and eve in answer.answer
    assert not Composer(embedder, settings).is_found(Query(question, ()), hits[1:], None, embedder.embed([question])[0])


def test_a_sentence_that_introduces_a_link_brings_the_link() -> None:
    text = ("The procedures group update the safeguarding procedures which are published on:\n\n"
            "<https://www.teescpp.org.uk/>\n\nDuring this quarter these were updated:\n\n- Neglect Strategy")
    chosen = _select("where are the safeguarding procedures published", (text, ("Newsletter", "Procedures")))
    assert "<https://www.teescpp.org.uk/>" in chosen


def test_the_passages_own_heading_counts_as_if_the_sentence_said_it() -> None:
    from assistant.answer import Composer, Unit
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Annual report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    text = "This review was carried out using a systems approach."
    own = Hit(Chunk("c1", "d1", text, ("Report", "Child M", "Review Methodology")), doc, 1.0)
    parent = Hit(Chunk("c2", "d1", text, ("Report", "Review Methodology", "Child M")), doc, 1.0)
    embedder = CountingEmbedder()
    q = Query("what methodology did the review use", ())
    scores = Composer(embedder)._score_units(q, embedder.embed([q.text])[0], [own, parent],
                                             [Unit(0, 0, text), Unit(1, 0, text)], lambda t: 1.0)
    assert scores[0] - scores[1] > 0.06  # more than the 0.06 a second citation rank costs


def test_how_often_how_long_and_an_age_lead_to_the_sentence_that_gives_them() -> None:
    from assistant.answer import Composer, Unit
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Annual report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    embedder = CountingEmbedder()

    def scores(question: str, *texts: str) -> list[float]:
        hit = Hit(Chunk("c1", "d1", "\n".join(texts)), doc, 1.0)
        q = Query(question, ())
        return Composer(embedder)._score_units(q, embedder.embed([question])[0], [hit],
                                               [Unit(0, i, t) for i, t in enumerate(texts)], lambda t: 1.0)

    often = scores("how often does the board meet", "The board meets in the town hall.", "The board meets bi-monthly.")
    assert often[1] > often[0] + 0.1, often
    ages = scores("how many over 65s live here", "- 20,054 people under 18", "- 14,210 people over 65")
    assert ages[1] > ages[0] + 0.1, ages
    long = scores("how long was he chair", "He was the chair of the board.", "He was chair for seven years.")
    assert long[1] > long[0] + 0.1, long
    when = scores("when are the briefings", "The briefings are on schedule.", "The briefings are on Tuesday.")
    assert when[1] > when[0] + 0.1, when


def test_a_passage_whose_own_heading_names_the_question_rises_in_the_rerank() -> None:
    from assistant.answer import Composer
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Annual report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    text = "This was carried out using a systems approach."
    general = Hit(Chunk("c1", "d1", text, ("Report", "Case Reviews")), doc, 1.0)
    method = Hit(Chunk("c2", "d1", text, ("Report", "Child M", "Review Methodology")), doc, 1.0)
    embedder = CountingEmbedder()
    question = "which review methodology"
    qvec = embedder.embed([question])[0]
    composer = Composer(embedder)
    assert composer.rerank(qvec, [general, method], rank_weight=0.1)[0] is general  # the rank decides a tie
    assert composer.rerank(qvec, [general, method], rank_weight=0.1, question=question)[0] is method


def test_a_phrase_counts_only_where_its_words_stand_together() -> None:
    from assistant.sentences import as_meant, everyday_phrases
    from index.text import tokenize

    phrases = everyday_phrases("how many children were on child protection plans in hartlepool")
    ehc = "The number of children with EHC Plans in Hartlepool is 708."
    assert "plan" not in as_meant(set(tokenize(ehc)), ehc, phrases)
    cp = "- 245 children subject to a Child Protection Plan"
    assert {"protect", "plan"} <= as_meant(set(tokenize(cp)), cp, phrases)


def test_one_everyday_word_is_named_by_any_of_the_documents_words_for_it() -> None:
    from assistant.figures import missing_year_figure

    table = "| Finance 2020 - 21 | £ |\n|---|---|\n| Income | 296,687 |"
    assert missing_year_figure("how much money did hsscp get in 2020/21", table) == []


def test_what_a_deep_dive_resulted_in_answers_what_it_recommended() -> None:
    from assistant.findings import missing_findings

    passage = ("The second KLOE, on the theme of 'Children Missing from Home', was completed and the recommendations "
               "fed into the planning group. This resulted in:\n- A review of provision re advocates")
    assert not missing_findings("what were the recommendations from the missing from home deep dive", passage)


def test_a_passage_holding_every_topic_word_may_be_a_little_further_in_meaning() -> None:
    from assistant.answer import AnswerSettings, Composer
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Annual report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    embedder = CountingEmbedder()
    question = "how many page views did the website get"
    qvec = embedder.embed([question])[0]
    every = Hit(Chunk("c1", "d1", "Partners were engaged.\n- 25,490 page views on the new website"), doc, 1.0, 0.05)
    missing = Hit(Chunk("c2", "d1", "Partners were engaged.\n- 25,490 views on the new website"), doc, 1.0, 0.05)
    sims = [Composer(embedder)._best_sentence(h, qvec) for h in (every, missing)]
    # Thresholds set around these sentences' closeness: below the floor, above it less the allowance.
    floor = max(sims) + 0.01
    settings = AnswerSettings(found_dense_low=floor, covered_allowance=floor - min(sims) + 0.01, sentence_discount=0.0)
    composer = Composer(embedder, settings)
    assert composer.is_found(Query(question, ()), [every], None, qvec)
    assert not composer.is_found(Query(question, ()), [missing], None, qvec)


def test_a_passage_under_a_heading_close_to_the_question_is_close_enough() -> None:
    """"Who wrote the foreword?" is far in meaning from every sentence of the foreword, but close to
    its heading, "Foreword by the Independent Chair"."""
    from assistant.answer import AnswerSettings, Composer
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Annual report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    embedder = CountingEmbedder()
    question = "who wrote the foreword"
    qvec = embedder.embed([question])[0]
    text = "It gives me great pleasure to introduce this report to you."
    under = Hit(Chunk("c1", "d1", text, ("Annual report", "Foreword by the Independent Chair")), doc, 1.0, 0.0)
    elsewhere = Hit(Chunk("c2", "d1", text, ("Annual report", "Next steps")), doc, 1.0, 0.0)
    # The fake embedder puts the heading at 0.30 from the question and the sentence at 0.
    settings = AnswerSettings(found_dense_low=0.05, covered_allowance=0.0, sentence_discount=0.2)
    composer = Composer(embedder, settings)
    assert composer.is_found(Query(question, ()), [under], None, qvec)
    assert not composer.is_found(Query(question, ()), [elsewhere], None, qvec)


def test_a_review_named_by_its_heading_is_what_its_sentences_are_about() -> None:
    from assistant.findings import missing_findings

    text = "Learning was shared in a series of briefings. The review identified work around step-down processes."
    q = "what were the learning points from the ALEX LCSPR"
    assert missing_findings(q, text, "Annual Report Case Reviews")
    assert not missing_findings(q, text, "Annual Report Reviews > ALEX LCSPR")


def test_how_something_was_done_is_not_what_is_counted() -> None:
    from assistant.figures import breakdown_asked, missing_breakdown

    assert breakdown_asked("how many newsletters were sent out in 2020-21") == "sent out in 2020-21"
    assert missing_breakdown("how many newsletters were sent out in 2020-21", "- 4 Quarterly newsletters were circulated") == []


def test_a_follow_up_about_the_same_money_is_answered_by_any_word_for_it() -> None:
    from assistant.figures import missing_topic_figure

    q = "and how much did they spend? (what was the partnership budget in 2020-21)"
    table = "| Finance 2020 - 21 | £ |\n|---|---|\n| Expenditure | 247,291 |\n| Reserves subtotal | 49,396 |"
    assert not missing_topic_figure(q, table, "Annual Report > About The Partnership > Financial Arrangements")
    # An expansion that only elaborates the word still does not stand for it: MARAC is not the audit.
    audit = "how many cases did they look at? (what was the december audit on children's mental health)"
    assert missing_topic_figure(audit, "- 150 cases discussed in MARAC (Multi-Agency Risk Assessment Conference)")


def test_each_list_item_and_table_row_knows_the_line_that_introduces_it() -> None:
    from assistant.sentences import passage_units_with_intros

    text = ("Partner agencies contribute.\n\n| Finance 2020 - 21 | £ |\n|---|---:|\n| Income | 296,687 |\n\n"
            "Throughout 2020-21 there were approximately:\n- 20,054 children\n\nPlain text.")
    assert passage_units_with_intros(text) == [
        ("Partner agencies contribute.", ""), ("Finance 2020 - 21 | £", ""),
        ("Income | 296,687", "Finance 2020 - 21 | £"),
        ("Throughout 2020-21 there were approximately:", ""),
        ("- 20,054 children", "Throughout 2020-21 there were approximately:"), ("Plain text.", "")]


def test_a_quoted_list_item_brings_the_sentence_that_introduces_it() -> None:
    text = ("The partners include the following in accordance with Working Together 2018 (and Children and "
            "Social Work Act 2017):\n- Hartlepool Borough Council\n- Cleveland Police")
    chosen = _select("which police force is a partner", (text, ("Report", "Partners")))
    assert "- Cleveland Police" in chosen
    assert chosen[0].startswith("The partners include the following")


def test_a_price_needs_the_money_beside_what_is_priced() -> None:
    from assistant.evidence import missing_kinds

    reserves = "This income ensured the overall cost of running HSSCP was met; with a total carry forward of £151,436."
    assert missing_kinds("how much does it cost to go on hsscp multi agency training", reserves) == ["a price"]
    course = "Multi-agency training courses cost £25 a place for voluntary groups."
    assert missing_kinds("how much does it cost to go on hsscp multi agency training", course) == []


def test_a_quoted_table_header_brings_its_rows() -> None:
    text = "Partners contribute to the budget.\n\n| Finance 2020 - 21 | £ |\n|---|---:|\n| Income | 296,687 |\n| Expenditure | 247,291 |"
    chosen = _select("finance 2020-21", (text, ("Report", "Financial Arrangements")))
    assert "Finance 2020 - 21 | £" in chosen
    assert {"Income | 296,687", "Expenditure | 247,291"} <= set(chosen)


def test_where_people_live_is_not_what_a_figure_counts() -> None:
    from assistant.figures import missing_year_figure, topic_words

    assert topic_words("how many under 18s lived in stockton in 2020-21") == []
    listed = "Throughout 2020-21 there were approximately:\n- 43,848 children & young people under 18"
    assert missing_year_figure("how many under 18s lived in stockton in 2020-21", listed) == []


def test_where_a_figure_comes_from_is_not_what_it_counts_by() -> None:
    from assistant.figures import breakdown_asked, missing_breakdown

    q = "What proportion of Hartlepool's school population were SEND according to the January 2021 school census?"
    census = "Based on the 2021 January School census 17.8% of the school population were SEND."
    assert missing_breakdown(q, census, "About Hartlepool") == []
    assert breakdown_asked(q).startswith("SEND")


def test_a_short_list_is_quoted_whole_under_its_introduction() -> None:
    text = ("Wherever possible, check out details of self-reported information. Professionals should seek to:\n"
            "- Understand where a piece of information originated from.\n- Clarify and verify the accuracy.\n"
            "- Reflect with colleagues and families.")
    chosen = _select("reflect with colleagues and families", (text, ("Report", "Self-Reported Information")))
    assert "- Understand where a piece of information originated from." in chosen
    assert "- Clarify and verify the accuracy." in chosen
    # A long list is not: its introduction comes with the items asked about only.
    long_list = "Throughout 2020-21 there were approximately:\n" + "\n".join(f"- {n} other figures counted" for n in range(10, 22)) \
        + "\n- 352 missing episodes"
    chosen = _select("missing episodes", (long_list, ("Report", "Snapshot")))
    assert "- 352 missing episodes" in chosen and "- 10 other figures counted" not in chosen


def test_a_figure_counted_within_a_span_needs_that_span() -> None:
    from assistant.figures import missing_span

    q = "how many domestic abuse incidents in stockton had kids present again within 12 months"
    assert missing_span(q, "- 2003 children witnessing a domestic abuse incident") == "within 12 months"
    repeat = "- 258 domestic abuse incidents witnessed by children within 12 months of a similar incident"
    assert missing_span(q, repeat) == ""
    assert missing_span("and how many saw another one within a year?", repeat) == ""  # a year is 12 months
    assert missing_span("how many were seen within 72 hours", repeat) == "within 72 hours"
    assert missing_span("what happens within 12 months of a referral", "no figure here") == ""  # not a figure question


def test_a_number_in_a_name_counts_nothing() -> None:
    from assistant.sentences import counts_something

    assert not counts_something("Development of a seven minute briefing / checklist on out of area placements.")
    assert not counts_something("The 7-minute briefing has been published.")
    assert counts_something("Seven briefings were published.")


def test_a_verb_after_were_is_not_what_is_counted() -> None:
    from assistant.figures import breakdown_asked, missing_breakdown

    # "were run" says what happened to the sessions, not which of them are counted.
    training = "In Quarter 3, eight training sessions were delivered to 164 practitioners."
    assert missing_breakdown("how many training sessions were run?", training, "") == []
    assert breakdown_asked("how many of them were excluded") == "excluded"  # a lone adjective still is


def test_what_happened_after_a_named_review_asks_for_its_findings() -> None:
    from assistant.findings import missing_findings

    assert missing_findings("child t lcspr what happened", "The Child T LCSPR was finalised and the report published.")
    assert missing_findings("what was the child T review about", "The Child T LCSPR was finalised and the report published.")


def test_a_sentence_in_the_form_asked_for_gets_a_bonus() -> None:
    from assistant.answer import FORM_BONUS, _asked_form

    where = _asked_form("where do I find them?")
    assert where("<https://www.teescpp.org.uk/>") == FORM_BONUS
    assert where("During this quarter the following procedures were updated:") == 0.0
    assert _asked_form("what's the phone number for the hub")("Tel: 01429 523825") == FORM_BONUS


def test_a_passage_continuing_a_section_shares_its_years() -> None:
    from assistant.answer import _PassageGaps
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk

    doc = DocumentRecord("d1", "Annual report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    path = ("Annual report", "Key Lines of Enquiry")
    opening = Hit(Chunk("c1", "d1", "The partnership commissioned deep dives into two lines of enquiry during 2019-20.", path), doc, 1.0)
    second = Hit(Chunk("c2", "d1", "The second, on children missing from home, was completed in September 2020.", path), doc, 1.0)
    elsewhere = Hit(Chunk("c3", "d1", "The second audit was completed in September 2020.", ("Annual report", "Audits")), doc, 1.0)
    query = Query("when did the missing one finish? (what deep dives did the partnership do in 2019-20)", ())
    gaps = _PassageGaps(query, None, [opening, second, elsewhere])
    assert "2019-20" not in gaps(second).hard  # the opening chunk of its section says 2019-20
    assert "2019-20" in gaps(elsewhere).hard  # another section's passage does not borrow it
    assert "2019-20" in _PassageGaps(query, None, [second])(second).hard  # without the opening chunk retrieved


def test_a_word_of_an_everyday_phrase_used_in_another_phrase_is_a_false_friend() -> None:
    from assistant.sentences import everyday_phrases, used_otherwise
    from index.text import tokenize

    phrases = everyday_phrases("how many kids in care in stockton in 2020-21")
    ehc = "The number of children with Education, Health and Care (EHC) Plans in Stockton is 1667."
    looked_after = "- 579 children and young people looked after"
    assert used_otherwise(set(tokenize(ehc)), ehc, phrases)
    assert not used_otherwise(set(tokenize(looked_after)), looked_after, phrases)
    # Two words sharing one is a partial match: "practice reviews" are case reviews.
    underway = "There are currently 2 Local Child Safeguarding Practice reviews underway."
    assert not used_otherwise(set(tokenize(underway)), underway, everyday_phrases("which case reviews are going on"))


def test_repeat_referrals_are_the_documents_re_referrals() -> None:
    from assistant.figures import missing_topic_figure

    assert "re-referrals" in Glossary().expansions("how many were repeats?")
    assert not missing_topic_figure("how many were repeats? (how many referrals did hartlepool get in 2020-21)",
                                    "- **14%** were re-referrals")


def test_the_statutory_partners_are_named_by_what_they_are() -> None:
    expansions = " ".join(Glossary().expansions("who are the statutory partners"))
    assert "borough council" in expansions and "clinical commissioning group" in expansions and "police" in expansions
    # "partners" alone is not the statutory three
    assert "borough council" not in " ".join(Glossary().expansions("how do partners share information"))


def test_a_website_named_is_not_a_question_about_its_visitors() -> None:
    assert not Glossary().expansions("tees procedures website")  # its address is asked, not page views
    assert "website page views visitors" in Glossary().expansions("how many visitors did the site get")


def test_passages_missing_what_the_question_names_are_cited_after_those_that_have_it() -> None:
    from assistant.answer import AnswerSettings, Composer
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    embedder = CountingEmbedder()
    question = "how many rapid reviews were there in 2019-20"
    wrong_year = Hit(Chunk("c1", "d1", "In 2020-21 the partnership undertook six rapid reviews."), doc, 1.0, 0.9)
    right_year = Hit(Chunk("c2", "d1", "In 2019-20 the partnership undertook four rapid reviews."), doc, 0.9, 0.8)
    settings = AnswerSettings(found_dense=-1.0, found_dense_low=-1.0, found_dense_high=-1.0, sentence_discount=0.0)
    answer = Composer(embedder, settings).compose(question, Query(question, ()), embedder.embed([question])[0],
                                                  [wrong_year, right_year])
    assert answer.found
    assert [h.chunk.chunk_id for h in answer.hits] == ["c2", "c1"]  # the 2019-20 passage is cited first
    assert "four rapid reviews" in answer.answer and answer.answer.rstrip().endswith("[1]")


def test_the_quoted_passages_are_the_first_citations() -> None:
    from assistant.answer import AnswerSettings, Composer
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    embedder = CountingEmbedder()
    question = "how often does the engine room meet"
    hits = [Hit(Chunk("c1", "d1", "The partnership publishes an annual report."), doc, 1.0, 0.9),
            Hit(Chunk("c2", "d1", "The Engine Room meets every 6 weeks."), doc, 0.9, 0.8),
            Hit(Chunk("c3", "d1", "Schools are represented in the wider partnership."), doc, 0.8, 0.7)]
    settings = AnswerSettings(found_dense=-1.0, found_dense_low=-1.0, found_dense_high=-1.0, sentence_discount=0.0,
                              keep_within=0.0)
    answer = Composer(embedder, settings).compose(question, Query(question, ()), embedder.embed([question])[0], hits)
    assert answer.answer == "The Engine Room meets every 6 weeks. [1]"  # marker [1], not [2]
    assert [h.chunk.chunk_id for h in answer.hits] == ["c2", "c1", "c3"]  # the rest keep their order
    assert answer.highlights[0] == ("The Engine Room meets every 6 weeks.",) and answer.highlights[1:] == ((), ())


def test_a_further_passage_giving_the_name_asked_for_is_read_first() -> None:
    from assistant.answer import Composer
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    roles = [Hit(Chunk(f"r{i}", "d1", text), doc, 1.0) for i, text in enumerate((
        "The Executive meetings of the partnership are chaired by an independent chair.",
        "The independent chair provides scrutiny of the partnership.",
        "The partnership's chair reports to the Executive."))]
    signature = Hit(Chunk("s", "d1", "I am standing down as chair of the partnership.\nDave Pickard\nHSSCP Independent Chair"), doc, 0.5)
    other_name = Hit(Chunk("o", "d1", "Sarah Jones presented the training programme."), doc, 0.4)
    composer = Composer(CountingEmbedder())
    question = Query("who was the head of the partnership", ())
    promoted = composer.promote(question, roles, [other_name, signature])
    assert [h.chunk.chunk_id for h in promoted] == ["s", "r0", "r1", "r2"]
    # Nothing further names the chair: the passages stay as they were (and the question is declined later).
    assert composer.promote(question, roles, [other_name]) == roles
    # A question asking for no particular kind of fact is left alone.
    assert composer.promote(Query("what does the independent chair do", ()), roles, [signature]) == roles


def test_a_further_passage_is_not_read_first_unless_it_names_what_the_question_names() -> None:
    from assistant.answer import Composer
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    reviews = [Hit(Chunk(f"r{i}", "d1", text), doc, 1.0) for i, text in enumerate((
        "The EMMA LCSPR was concluded and a report published.", "Two LCSPRs are underway.", "The reviews are published."))]
    other = Hit(Chunk("o", "d1", "Following the Sara Sherif Local Child Safeguarding Practice Review, learning was shared."), doc, 0.5)
    assert Composer(CountingEmbedder()).promote(Query("who was the independent reviewer for the EMMA LCSPR?", ()),
                                                reviews, [other]) == reviews


def test_an_email_address_is_not_a_web_address() -> None:
    from assistant.evidence import missing_kinds

    contact = "Tel: 01429 523825 Email: HSSCP@hartlepool.gov.uk (mailto:HSSCP@hartlepool.gov.uk)"
    assert missing_kinds("where is the early help referral form for Stockton", contact) == ["a web address"]
    assert missing_kinds("where do I find the procedures", "They are published on <https://www.teescpp.org.uk/>") == []


def test_children_present_at_an_incident_are_the_documents_children_witnessing_it() -> None:
    from assistant.figures import missing_breakdown

    q = "How many children were present during a domestic abuse incident in stockton in 2020-21?"
    assert "witnessing present" in Glossary().expansions(q)
    assert missing_breakdown(q, "- 2003 children witnessing a domestic abuse incident", "About Stockton-on-Tees") == []


def test_the_intro_to_a_report_is_its_foreword() -> None:
    assert "foreword" in Glossary().expansions("who wrote the intro to the annual report")


def test_what_kind_of_thing_is_asked_for_decides_which_passage_is_quoted() -> None:
    from assistant.answer import asked_noun

    assert asked_noun("What review methodology was used for the Child M LCSPR?") == "methodolog"
    assert asked_noun("Which model was the Child M LCSPR carried out under?") == "model"
    assert asked_noun("what time does it start") == "" and asked_noun("how was it done") == ""
    listed = "- The Child M LCSPR was completed and a report, briefing and resources published."
    method = "This review was carried out using a 'systems approach' via an Appreciative Inquiry model."
    chosen = _select("What review methodology was used for the Child M LCSPR?",
                     (listed, ("Report", "Case Reviews")), (method, ("Report", "Child M", "Review Methodology")))
    assert chosen == [method]


def test_a_venue_must_be_given_for_what_is_asked_about() -> None:
    from assistant.evidence import missing_kinds

    q = "where's it being held? (when is the annual HSSCP conference)"
    training = "HSSCP had to stand down all face-to-face training. Courses were delivered virtually."
    assert missing_kinds(q, training) == ["a venue"]
    assert missing_kinds(q, "The annual conference will be held at the Hartlepool Civic Centre.") == []


def test_a_quarter_named_is_checked_as_a_quarter_not_as_an_unknown_word() -> None:
    newsletter = "HSSCP Newsletter Quarter 3 2025-26 0 Serious Incident Notifications were received during this quarter."
    vocab = {t: 1 for t in "serious incident notif receiv quarter newslett hsscp".split()}
    assert evidence_gaps(Query("serious incident notifications Q3", ()), newsletter, vocab).hard == ()
    assert evidence_gaps(Query("serious incident notifications Q2", ()), newsletter, vocab).hard == ("Q2",)


def test_the_first_sentence_under_a_heading_naming_the_asked_noun_leads() -> None:
    from assistant.answer import NOUN_LEAD, Composer, Unit
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Annual report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    first = "This review was carried out using a systems approach."
    second = "The event examined the learning."
    embedder = CountingEmbedder()

    def lead(question: str, heading: str, first_text: str = first) -> float:
        """How much more the first sentence scores than when it stands second."""
        hit = Hit(Chunk("c1", "d1", f"{first_text}\n{second}", ("Report", heading)), doc, 1.0)
        q = Query(question, ())
        composer, qvec = Composer(embedder), embedder.embed([question])[0]
        at_start = composer._score_units(q, qvec, [hit], [Unit(0, 0, first_text)], lambda t: 1.0)[0]
        later = composer._score_units(q, qvec, [hit], [Unit(0, 1, first_text)], lambda t: 1.0)[0]
        return at_start - later

    assert lead("What methodology was used for the Child M LCSPR?", "Review Methodology") == pytest.approx(NOUN_LEAD)
    assert lead("What methodology was used for the Child M LCSPR?", "Learning Themes") == 0  # heading names no method
    assert lead("who carried out the Child M review", "Review Methodology") == 0  # not a "what <noun>" question
    # A first sentence naming the noun itself already has the word's weight.
    assert lead("what audits were done", "Multi-Agency Audit", "The partnership did two audits.") == 0


def test_a_website_question_favours_the_address_and_the_address_brings_its_introduction() -> None:
    from assistant.answer import FORM_BONUS, Composer, Unit, _asked_form

    assert _asked_form("what's the website for the tees procedures?")("<https://www.teescpp.org.uk/>") == FORM_BONUS
    assert _asked_form("tees procedures website link")("<https://www.teescpp.org.uk/>") == FORM_BONUS
    assert _asked_form("how often does the exec meet")("<https://www.teescpp.org.uk/>") == 0
    intro = Unit(0, 0, "The procedures are published on:")
    link = Unit(0, 1, "<https://www.teescpp.org.uk/>")
    later = Unit(0, 2, "During this quarter these were updated:")
    assert Composer._with_intros([link], [intro, link, later]) == [link, intro]
    sentence = Unit(0, 0, "The procedures are kept up to date.")
    assert Composer._with_intros([link], [sentence, link, later]) == [link]  # not an introduction


def test_a_who_question_quotes_the_signature_of_the_section_it_answers_from() -> None:
    from assistant.answer import Composer
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Annual report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    foreword = Hit(Chunk("c1", "d1", "It gives me great pleasure to introduce the annual report to you.\n"
                         "The report sets out the achievements of the year.\n\nDave Pickard\nHSSCP Independent Chair",
                         ("Report", "Foreword")), doc, 1.0)
    engine = Hit(Chunk("c2", "d1", "The Engine Room is chaired by a statutory partner on a rota basis.",
                       ("Report", "Engine Room")), doc, 1.0)
    embedder = CountingEmbedder()
    composer = Composer(embedder)

    def quoted(question: str, hits: list[Hit]) -> list[str]:
        q = Query(question, ())
        return [u.text for u in composer.select(q, embedder.embed([question])[0], hits, lambda t: 1.0)]

    assert any("Dave Pickard" in t for t in quoted("who wrote the foreword to the annual report", [foreword, engine]))
    # The signature of another section does not say who chairs the Engine Room.
    assert not any("Dave Pickard" in t for t in quoted("who chairs the engine room", [engine, foreword]))
    from assistant.people import WHO_Q as _WHO_Q

    assert _WHO_Q.match("whos the top person who wrote the intro") and _WHO_Q.match("name of the business manager")
    assert not _WHO_Q.match("what did the foreword say about who we work with")


def test_who_are_the_members_favours_list_items() -> None:
    from assistant.answer import FORM_BONUS, _asked_form

    assert _asked_form("Who are the statutory safeguarding partners of the HSSCP?")("- Hartlepool Borough Council") == FORM_BONUS
    assert _asked_form("which organisations are the partners")("- Chief Officer of Cleveland Police") == FORM_BONUS
    assert _asked_form("who is the business manager")("- Hartlepool Borough Council") == 0
    assert _asked_form("Who are the statutory safeguarding partners?")("The partners meet bi-monthly.") == 0


def test_a_percentage_question_favours_a_sentence_giving_a_share() -> None:
    """"What percentage of pupils have an EHC plan?" reads first the sentence with a share (15.6% SEND,
    which the next sentence says includes EHC plans), not only the count of plans."""
    from assistant.answer import FORM_BONUS, _asked_form

    share = _asked_form("What percentage of Stockton pupils have an Education Health Care Plan?")
    assert share("Based on the census 15.6% of the school population were SEND.") == FORM_BONUS
    assert share("The number of children with EHC Plans in Stockton is 1667.") == 0
    assert _asked_form("how many children have an EHC plan")("15.6% of the school population were SEND.") == 0


def test_what_something_is_called_needs_a_sentence_naming_it() -> None:
    from assistant.evidence import missing_name

    booking = ("This includes a full programme of training with bookings made via a new online booking system. "
               "Quality assurance is undertaken by the Tees Joint Training Group (TJTG).")
    assert missing_name("what's the name of the new online booking system for training?", booking)
    assert missing_name("what is the booking system called", booking)
    platform = "Also, included in the programme is the e-learning courses from the Tees Safeguarding All MeLearning platform."
    assert not missing_name("What is the name of the e-learning platform in the HSSCP training programme?", platform)
    # A person's name is the who-holds-the-role check's; other questions are not asking for a name.
    assert not missing_name("what is the name of the hsscp business manager", booking)
    assert not missing_name("how do I book training", booking)
    gaps = evidence_gaps(Query("what's the name of the online booking system", ()), booking, None)
    assert "its name" in gaps.hard


def test_a_percentage_question_needs_a_share_not_only_a_count() -> None:
    from assistant.figures import gives_share, missing_topic_figure

    count = "The number of children with EHC Plans in Stockton is 1667 (649 primary age children, 701 secondary)."
    share = "Based on the census 15.6% of the school population were SEND. This includes those with an EHC Plan."
    assert missing_topic_figure("what percentage of stockton pupils have an EHC plan", count)
    assert not missing_topic_figure("what percentage of stockton pupils have an EHC plan", share)
    assert not missing_topic_figure("how many stockton pupils have an EHC plan", count)  # a count answers a count
    assert gives_share("one in five children") and gives_share("17.8% of the school population")
    assert not gives_share("1667 children")


def test_a_terse_statistic_with_a_period_needs_a_figure_for_what_it_names() -> None:
    from assistant.figures import is_terse_statistic, missing_topic_figure, topic_words

    assert is_terse_statistic("missing episodes Hartlepool quarter 3 2025-26")
    assert is_terse_statistic("e-learning completions Q3 2025-26")
    assert not is_terse_statistic("learning from reviews briefing dates 2026")  # asks for dates
    assert not is_terse_statistic("contextual safeguarding conference 2020")  # nothing counted
    assert not is_terse_statistic("how many missing episodes were there in 2020-21")  # a question, checked as one
    assert topic_words("missing episodes Hartlepool quarter 3 2025-26") == ["missing", "episodes"]
    newsletter = "In this quarter, eight training sessions have been delivered. This quarter's bulletins are linked below."
    assert missing_topic_figure("missing episodes Hartlepool quarter 3 2025-26", newsletter)
    snapshot = "Throughout 2020-21 there were approximately: 352 missing episodes by 151 young people."
    assert not missing_topic_figure("missing episodes hartlepool 2020-21", snapshot)
    # It names only what is counted, so all of it: referrals about allegations are not Prevent referrals.
    referrals = "Throughout 2020-21 there were: 104 referrals in relation to allegations against staff. 23.2% were re-referrals."
    assert missing_topic_figure("prevent referrals stockton 2020-21", referrals)
    assert not missing_topic_figure("lado referrals stockton 2020-21", referrals.replace("allegations against staff", "LADO"))


def test_a_written_out_term_in_a_figure_question_is_named_whole() -> None:
    from assistant.figures import missing_topic_figure
    from assistant.glossary import Glossary

    assert ("children missing education", "CME") in Glossary().terms_in("number of children missing education in Hartlepool")
    ehc = "The number of children with Education, Health and Care (EHC) Plans in Hartlepool is 708."
    assert missing_topic_figure("number of children missing education in Hartlepool", ehc)
    assert not missing_topic_figure("number of children missing education in Hartlepool",
                                    "There were 40 children missing education (CME) in Hartlepool.")
    assert not missing_topic_figure("how many looked after children in stockton",
                                    "579 children and young people looked after")  # all its words, in any order


def test_who_wrote_asks_who_not_about_writing() -> None:
    from assistant.sentences import FILLER_STEMS

    gaps = evidence_gaps(Query("Who wrote the foreword to the annual report?", ()),
                         "Annual Report Foreword by the Independent Chair It gives me great pleasure to introduce "
                         "the Annual Report.", None)
    assert gaps.uncovered_share == 0 and not gaps.hard  # "wrote" is how the question asks, not its topic
    assert {"wrote", "write", "written"} <= FILLER_STEMS


def test_an_either_or_question_leads_to_the_sentence_naming_both() -> None:
    from assistant.answer import FORM_BONUS, Composer, Unit, alternatives
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    assert alternatives("is that face to face or online?") == (frozenset({"face"}), frozenset({"onlin"}))
    assert alternatives("are the courses in a room or on teams these days") == (frozenset({"room"}), frozenset({"team"}))
    assert alternatives("who or what is the LADO") is None  # nothing set side by side
    doc = DocumentRecord("d1", "Newsletter", "newsletter", "n.md", None, None, None, None, "h", None, None, 2, "", "")
    embedder = CountingEmbedder()
    texts = ("Eight training courses were delivered this quarter and are booked online.",
             "HSSCP continues to provide a hybrid model of both face to face and virtual delivery.")
    hit = Hit(Chunk("c1", "d1", "\n".join(texts)), doc, 1.0)
    units = [Unit(0, i, t) for i, t in enumerate(texts)]
    qvec = embedder.embed(["training"])[0]  # one vector for both wordings: only the "or" differs
    # "online" is the documents' "virtual" (the glossary), "in a room" their "face to face".
    for choice in ("is the training face to face or online?", "are the courses in a room or on teams?"):
        both = choice.replace(" or ", " and ")
        chosen, plain = (Composer(embedder)._score_units(Query(q, ()), qvec, [hit], units, lambda t: 1.0)
                         for q in (choice, both))
        assert chosen[0] == pytest.approx(plain[0]), choice  # names one side only: no change
        assert chosen[1] == pytest.approx(plain[1] + FORM_BONUS), choice


def test_where_to_find_a_named_thing_quotes_where_it_is_said_to_be_beside_the_address() -> None:
    address = ("The procedures group update the safeguarding procedures which are published on:\n\n"
               "<https://www.teescpp.org.uk/>")
    eve = ("A seven-minute briefing was published for the Eve SCR. A concealed pregnancy procedure was developed "
           "from the Eve SCR and can be found on the Tees Procedures website.")
    question = "where can I find them? (what new guidance came out of the Eve SCR)"
    chosen = _select(question, (address, ("Newsletter", "Procedures")), (eve, ("Report", "Reviews")))
    assert "<https://www.teescpp.org.uk/>" in chosen
    assert any(text.endswith("can be found on the Tees Procedures website.") for text in chosen)
    # Where the passage does not name what is asked about, it is not quoted for it.
    chosen = _select(question.replace("Eve", "Child T"), (address, ("Newsletter", "Procedures")), (eve, ("Report", "Reviews")))
    assert not any("Tees Procedures website" in text for text in chosen)


def test_a_question_about_now_leads_to_the_newest_documents_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.answer
    from assistant.answer import NOW_BONUS, Composer, Unit
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    old = DocumentRecord("d1", "Annual report 2020-21", "annual_report", "a.md", None, "2021-09-30", None, None, "h", None,
                         None, 1, "", "")
    new = DocumentRecord("d2", "Newsletter Q3 2025-26", "newsletter", "n.md", None, "2026-01-15", None, None, "h", None,
                         None, 1, "", "")
    hits = [Hit(Chunk("c1", "d1", "The briefings took place in March 2021."), old, 1.0),
            Hit(Chunk("c2", "d2", "The briefings will take place in March 2026."), new, 0.9)]
    units = [Unit(0, 0, hits[0].chunk.text), Unit(1, 0, hits[1].chunk.text)]
    embedder = CountingEmbedder()
    qvec = embedder.embed(["briefings"])[0]

    def scores(question: str) -> list[float]:
        return Composer(embedder)._score_units(Query(question, ()), qvec, hits, units, lambda t: 1.0)

    asked = ("when are the briefings this year", "when are the briefings in 2020-21 this year", "when are the briefings")
    nudged = [scores(q) for q in asked]
    monkeypatch.setattr(assistant.answer, "NOW_BONUS", 0.0)
    plain = [scores(q) for q in asked]
    assert nudged[0][0] == pytest.approx(plain[0][0]) and nudged[0][1] == pytest.approx(plain[0][1] + NOW_BONUS)
    assert nudged[1:] == plain[1:]  # a year named, or no "now": no nudge


def test_how_often_reads_first_a_further_passage_giving_the_subjects_frequency() -> None:
    from assistant.answer import Composer
    from tests.fakes import CountingEmbedder

    used = [_report_hit(f"u{i}", text) for i, text in enumerate((
        "Membership of the Executive is made up of the four partners.",
        "The Engine Room meets every 6 weeks. This group is accountable to the Executive.",
        "The Executive approves the appointment of reviewers."))]
    meets = _report_hit("m", "The Executive meet formally bi-monthly to review the arrangements. The Executive:\n"
                             "- Promote multi agency working", 0.5)
    composer = Composer(CountingEmbedder())
    promoted = composer.promote(Query("how often does the executive meet", ()), used, [meets])
    assert [h.chunk.chunk_id for h in promoted] == ["m", "u0", "u1", "u2"]
    # The Engine Room's frequency is another group's; asked about the Engine Room, nothing moves.
    assert composer.promote(Query("how often does the engine room meet", ()), used, [meets]) == used
    # The answer is the frequency, without the list the sentence goes on to introduce.
    chosen = _select("how often does the executive meet", (meets.chunk.text, ("Report", "Roles")))
    assert chosen == ["The Executive meet formally bi-monthly to review the arrangements."]


def test_a_website_question_quotes_the_address_beside_a_sentence_naming_the_website(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.answer

    pointer = ("A concealed pregnancy procedure was developed from the Eve SCR and can be found on the "
               "Tees Procedures website.")
    address = ("The Tees procedures group update the safeguarding procedures which are published on:\n\n"
               "<https://www.teescpp.org.uk/>")
    passages = ((pointer, ("Report", "Reviews")), (address, ("Newsletter", "Procedures")))
    # The fake embedder's closeness is arbitrary: with no address close enough, only the pointer ...
    monkeypatch.setattr(assistant.answer, "WEBSITE_WITHIN", -10.0)
    assert _select("tees procedures website", *passages) == [pointer]
    # ... and with any address read close enough, the address beside it.
    monkeypatch.setattr(assistant.answer, "WEBSITE_WITHIN", 10.0)
    assert "<https://www.teescpp.org.uk/>" in _select("tees procedures website", *passages)


def test_an_age_asked_for_reads_first_a_further_passage_giving_it_for_the_place_named() -> None:
    from assistant.answer import Composer
    from tests.fakes import CountingEmbedder

    used = [_report_hit(f"u{i}", text, heading_path=("Report", "About Stockton")) for i, text in enumerate((
        "35.3% of children are living in poverty in Stockton.", "There are 81 schools in Stockton.",
        "Stockton's deprivation is higher than the national average."))]
    snapshot = "Throughout 2020-21 there were approximately:\n- {} children & young people under 18"
    hartlepool = _report_hit("h", snapshot.format("20,054"), 0.5, ("Report", "About Hartlepool", "Snapshot"))
    stockton = _report_hit("s", snapshot.format("43,848"), 0.4, ("Report", "About Stockton", "Snapshot"))
    composer = Composer(CountingEmbedder())
    promoted = composer.promote(Query("how many under 18s live in stockton", ()), used, [hartlepool, stockton])
    assert [h.chunk.chunk_id for h in promoted] == ["s", "u0", "u1", "u2"]  # Stockton's, not Hartlepool's
    assert composer.promote(Query("how many over 65s live in stockton", ()), used, [hartlepool, stockton]) == used


def test_coming_up_reads_first_a_further_passage_about_something_still_to_happen() -> None:
    """"Is there any conference coming up on harm outside the home?": the conference that will take
    place in 2026, not the one held in 2020 that the best-ranked passages describe."""
    from assistant.answer import FORM_BONUS, Composer, _asked_form
    from tests.fakes import CountingEmbedder

    used = [_report_hit(f"u{i}", text) for i, text in enumerate((
        "HSSCP delivered a multi-agency Conference on harm outside the home in November 2020.",
        "Police now have a dedicated Child Exploitation Team.",
        "14 children were identified as being at risk of exploitation."))]
    coming = _report_hit("c", "The Harm Outside The Home group are delivering a Teeswide Conference which will take "
                              "place on 18th March 2026.", 0.4, ("Newsletter", "Key Events", "Conferences"))
    composer = Composer(CountingEmbedder())
    question = "is there any conference coming up on harm outside the home"
    assert [h.chunk.chunk_id for h in composer.promote(Query(question, ()), used, [coming])] == ["c", "u0", "u1", "u2"]
    assert composer.promote(Query("was there a conference on harm outside the home", ()), used, [coming]) == used
    assert _asked_form(question)(coming.chunk.text) == FORM_BONUS
    assert _asked_form(question)(used[0].chunk.text) == 0


def test_what_people_said_reads_the_quoted_feedback_each_remark_on_its_own_line() -> None:
    from assistant.answer import FORM_BONUS, _asked_form

    said = _asked_form("what did people say about the virtual training")
    assert said("> It gave great insight and made me think differently about my practice!") == FORM_BONUS
    assert said("Courses were instead delivered virtually.") == 0
    assert _asked_form("what did the virtual training cover")("> It gave great insight!") == 0
    chosen = _select("what did people say about the virtual training", (
        "From September 2020 courses were delivered virtually.\n\n"
        "> Even though it was virtual, it was an inclusive experience.\n\n> It gave great insight!",
        ("Report", "Training")))
    assert "> Even though it was virtual, it was an inclusive experience." in chosen


def test_each_quoted_remark_stands_on_its_own_line_of_the_answer() -> None:
    from assistant.answer import AnswerSettings, Composer
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk
    from tests.fakes import CountingEmbedder

    doc = DocumentRecord("d1", "Report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    embedder = CountingEmbedder()
    question = "what feedback did the virtual training get"
    hits = [Hit(Chunk("c1", "d1", "> It was an inclusive experience.\n\n> It gave great insight!"), doc, 1.0, 0.9)]
    settings = AnswerSettings(found_dense=-1.0, found_dense_low=-1.0, found_dense_high=-1.0, sentence_discount=0.0,
                              keep_within=1.0)
    answer = Composer(embedder, settings).compose(question, Query(question, ()), embedder.embed([question])[0], hits)
    assert answer.answer.splitlines() == ["> It was an inclusive experience. [1]", "> It gave great insight! [1]"]


def test_how_do_i_favours_the_sentence_with_the_action_asked_about() -> None:
    from assistant.answer import FORM_BONUS, _asked_form

    book = _asked_form("how do I book onto a course?")
    assert book("This includes a full programme of training with bookings made via a new online booking system.") \
        == FORM_BONUS
    assert book("Two courses have been observed by key practitioners this quarter.") == 0
    assert _asked_form("how can schools register for the e-learning")("Register for an e-learning account here.") == FORM_BONUS
    # A light verb says nothing of the action: "make" is in many sentences that make no referral.
    assert _asked_form("how do I make a referral")("Partners made good progress this year.") == 0


def test_who_do_i_contact_needs_a_contact_beside_the_topic_not_figures_about_it() -> None:
    from assistant.evidence import asked_kinds, missing_kinds

    question = "who do I contact about an allegation against a teacher?"
    assert asked_kinds(question) == ["a contact"]
    figures = "Throughout 2020-21 there were:\n- 104 referrals in relation to allegations against staff"
    assert missing_kinds(question, figures) == ["a contact"]
    lado = "Allegations against staff go to the LADO: email lado@stockton.gov.uk or call 01642 130080."
    assert missing_kinds(question, lado) == []
    assert asked_kinds("who contacted the family?") == []  # asking who did, not whom to contact


def test_blind14_wordings_a_practitioner_uses() -> None:
    """Mended after blind14's first measurement: each wording below had been declined."""
    from assistant.answer import asked_noun
    from assistant.contents import missing_contents
    from assistant.figures import missing_topic_figure

    home = "The number of children who are home educated is 191 (as of March 2021)."
    # "in the borough" is where, not what is counted
    assert not missing_topic_figure("roughly how many kids in the borough are being home schooled?", home)
    assert missing_topic_figure("roughly how many kids in the borough are in care?", home)
    # how professionals saw him says nothing of what the review said about the dad
    dad = ("Child M's father was an integral member of the household; he was not an 'absent parent', yet his "
           "vulnerabilities were absent from professional understanding.")
    assert missing_contents("what did the Child M review say about the baby's dad and how professionals saw him?",
                            dad) == ""
    assert "pupil referral unit" in Glossary().expansions("hartlepool special schools PRU")
    # a search-box fragment ending in the kind of section it wants
    assert asked_noun("child m lcspr methodology") == asked_noun("what methodology was used") != ""
    assert asked_noun("neglect strategy") == "" and asked_noun("how was the methodology chosen") == ""
    office = "Hartlepool and Stockton-On-Tees Safeguarding Children Partnership CETL Brierton Lane Tel: 01429 523825"
    assert evidence_gaps(Query("Is there a phone number for the partnership office?", ()), office, None).uncovered_share \
        < evidence_gaps(Query("Is there a phone number for the children's hub?", ()), office, None).uncovered_share


def test_how_many_favours_a_sentence_counting_the_thing_asked_about() -> None:
    from assistant.answer import FORM_BONUS, _asked_form

    sessions = _asked_form("How many safeguarding children training sessions did HSSCP deliver in quarter 3?")
    assert sessions("In this quarter, eight training sessions have been delivered to professionals.") == FORM_BONUS
    assert sessions("The training programme for April 2025 to March 2026 is available.") == 0
    # the kind asked ("online safeguarding") must be named too: observed courses are not online ones
    online = _asked_form("how many online safeguarding courses did people finish in 20-21?")
    assert online("Two courses have been observed by key practitioners this quarter.") == 0
    assert online("8,578 online courses were completed.") == FORM_BONUS
    # every figure about children counts children: no bonus for saying so
    assert _asked_form("how many children are home educated?")("708 (216 primary age children, 294 secondary)") == 0


def test_a_word_asking_for_a_figure_is_not_a_topic_word_the_passage_must_say() -> None:
    bulletins = "Monthly e-bulletins were circulated to 888 partner representatives for wider distribution."
    gaps = evidence_gaps(Query("e-bulletin circulation numbers", ()), bulletins, None)
    assert gaps.hard == () and gaps.uncovered_share == 0.0
    # The figure itself is still needed.
    assert "a figure for it" in evidence_gaps(Query("e-bulletin circulation numbers", ()), "E-bulletins were circulated.", None).hard


def test_what_a_review_says_about_a_topic_may_miss_one_of_its_everyday_words() -> None:
    from assistant.contents import missing_contents

    fathers = ("Fathers can be overlooked both as a resource for their children and in their own right. "
               "Child M's father was not an 'absent parent'.")
    assert missing_contents("what did the child M review say about dads not being looked at properly?", fathers) == ""
    assert missing_contents("what did the child M review say about dental checks?", fathers) == \
        "what it says about dental checks"


def _report_hit(chunk_id: str, text: str, score: float = 1.0, heading_path: tuple[str, ...] = ()):
    """A retrieved passage of one annual report, for the composer's tests."""
    from assistant.models import Hit
    from index.store import DocumentRecord
    from ingest.models import Chunk

    doc = DocumentRecord("d1", "Report", "annual_report", "a.md", None, None, None, None, "h", None, None, 2, "", "")
    return Hit(Chunk(chunk_id, "d1", text, heading_path), doc, score)


def test_the_address_leads_the_answer_to_where_to_find_something(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.answer

    text = ("The procedures group update the safeguarding guidance which is published on:\n\n"
            "<https://www.teescpp.org.uk/>\n\nDuring this quarter the following guidance was updated:\n\n"
            "- Complex Case Meetings Practical Guidance\n- Think Family Guidance\n- Rough Guide for Recording")
    question = "where can I find the guidance"
    monkeypatch.setattr(assistant.answer, "ADDRESS_LEADS_WITHIN", -10.0)  # off: the fake embedder's choice
    before = _select(question, (text, ("Newsletter", "Procedures")))
    monkeypatch.setattr(assistant.answer, "ADDRESS_LEADS_WITHIN", 10.0)
    after = _select(question, (text, ("Newsletter", "Procedures")))
    assert "<https://www.teescpp.org.uk/>" not in before and "<https://www.teescpp.org.uk/>" in after
    assert after[:2] == ["The procedures group update the safeguarding guidance which is published on:",
                         "<https://www.teescpp.org.uk/>"]


def test_how_often_favours_the_frequency_most_about_the_subject() -> None:
    from assistant.answer import FORM_BONUS, Composer, Unit
    from tests.fakes import CountingEmbedder

    texts = ("The Engine Room meets every 6 weeks.", "The Executive meet formally bi-monthly.")
    hit = _report_hit("c1", "\n".join(texts))
    embedder = CountingEmbedder()
    qvec = embedder.embed(["meetings"])[0]
    units = [Unit(0, i, t) for i, t in enumerate(texts)]

    def scores(question: str) -> list[float]:
        return Composer(embedder)._score_units(Query(question, ("executive",)), qvec, [hit], units, lambda t: 1.0)

    # Both are frequencies; asked about the exec ("executive" its expansion), the Engine Room's loses the bonus.
    often, plain = scores("how often does the exec meet"), scores("when does the exec meet")
    assert often[1] - plain[1] > often[0] - plain[0] + FORM_BONUS / 2
