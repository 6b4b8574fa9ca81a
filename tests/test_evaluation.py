"""The quality metrics on tiny hand-made inputs, where the right figure is known by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from assistant.baselines import NaiveBaselines, naive_chunks
from assistant.cranfield import _records, score_rankings, Collection
from assistant.engine import Assistant
from assistant.evaluation import (
    GATE, Question, RankScores, cited_sentences, dcg, faithfulness_counts, first_relevant_rank,
    has_evidence, load_questions, ndcg_at_k, recall_at_k, reciprocal_rank, score_set, states_key_fact,
)
from index.builder import IndexWriter
from ingest.models import Document, Section


def q(id_: str, question: str, answerable: bool = True, evidence=(), facts=(), kind: str = "precise") -> Question:
    return Question(id_, question, (), answerable, tuple(evidence), tuple(facts), kind)


# -- evidence and key facts ----------------------------------------------------------------
def test_evidence_matching_folds_case_whitespace_and_bold() -> None:
    passage = "Missing episodes rose.\n  **Repeat   missing** children were\nreviewed weekly."
    assert has_evidence(passage, ["repeat missing children were reviewed WEEKLY"])
    assert not has_evidence(passage, ["repeat missing children were reviewed daily"])
    assert not has_evidence(passage, ["", "   "])  # an empty evidence string matches nothing


def test_first_relevant_rank_only_looks_at_top_k() -> None:
    passages = ["nothing here", "still nothing", "the answer is here", "x", "y", "the answer is here too"]
    assert first_relevant_rank(passages, ["answer is here"]) == 3
    assert first_relevant_rank(passages, ["here too"], k=5) is None
    assert first_relevant_rank(passages, ["here too"], k=6) == 6


def test_key_fact_ignores_thousands_commas_and_case() -> None:
    assert states_key_fact("There were 20054 contacts [1]", ["20,054"])
    assert states_key_fact("There were 20,054 contacts [1]", ["20054"])
    assert states_key_fact("It took Seven   Years.", ["seven years"])
    assert not states_key_fact("There were 20,055 contacts", ["20,054"])
    assert not states_key_fact("anything", [])


# -- ranks -----------------------------------------------------------------------------------
def test_mrr_and_evidence_at_k_from_ranks() -> None:
    scores = RankScores.from_ranks([1, 2, None, 5])
    assert scores.mrr == pytest.approx((1 + 0.5 + 0 + 0.2) / 4)
    assert scores.evidence_at == {1: 0.25, 3: 0.5, 5: 0.75}
    assert reciprocal_rank(None) == 0.0
    assert RankScores.from_ranks([]).mrr == 0.0


def test_ndcg_with_graded_gains() -> None:
    gains = {"a": 3.0, "b": 1.0}
    assert ndcg_at_k(["a", "b", "x"], gains) == pytest.approx(1.0)
    swapped = dcg([1.0, 3.0]) / dcg([3.0, 1.0])
    assert ndcg_at_k(["b", "a"], gains) == pytest.approx(swapped)
    # by hand: (2^1-1)/log2(2) + (2^3-1)/log2(3) over (2^3-1)/1 + (2^1-1)/log2(3)
    assert swapped == pytest.approx((1 + 7 / math.log2(3)) / (7 + 1 / math.log2(3)))
    assert ndcg_at_k(["x", "a"], gains, k=1) == 0.0
    assert ndcg_at_k(["a"], {}) == 0.0  # no judgements: nothing to find
    assert recall_at_k(["a", "x", "b"], {"a", "b"}, k=2) == 0.5


def test_cranfield_scores_average_over_every_query() -> None:
    coll = Collection(docs=[], queries=["q1", "q2"], qrels={1: {"d1": 4.0}, 2: {"d2": 1.0}})
    s = score_rankings(coll, {1: ["d1"], 2: ["x"]})
    assert s.ndcg10 == pytest.approx(0.5)
    assert s.recall100 == pytest.approx(0.5)


def test_cranfield_records_parse_fields() -> None:
    text = ".I 1\n.T\nwing flow .\n.A\nsmith\n.W\nthe wing\nflow study .\n.I 2\n.W\nsecond .\n"
    recs = _records(text)
    assert recs[0] == {"I": "1", "T": "wing flow .", "A": "smith", "W": "the wing flow study ."}
    assert recs[1]["W"] == "second ."


# -- faithfulness ----------------------------------------------------------------------------
PASSAGES = ["Return home interviews happen within 72 hours. They are independent.",
            "Contacts rose to 20,054 in the year."]


def test_faithfulness_accepts_copied_sentences() -> None:
    answer = "Return home interviews happen within 72 hours. [1] Contacts rose to 20,054 in the year. [2]"
    assert cited_sentences(answer) == [("Return home interviews happen within 72 hours.", 1),
                                       ("Contacts rose to 20,054 in the year.", 2)]
    assert faithfulness_counts(answer, PASSAGES) == (2, 2)


def test_faithfulness_detects_an_altered_sentence() -> None:
    altered = "Return home interviews happen within 48 hours. [1] Contacts rose to 20,054 in the year. [2]"
    assert faithfulness_counts(altered, PASSAGES) == (1, 2)


def test_faithfulness_detects_wrong_citation_and_uncited_text() -> None:
    assert faithfulness_counts("Contacts rose to 20,054 in the year. [1]", PASSAGES) == (0, 1)
    assert faithfulness_counts("Contacts rose to 20,054 in the year. [9]", PASSAGES) == (0, 1)
    assert faithfulness_counts("They are independent. [1]\nAnd something made up.", PASSAGES) == (1, 2)


# -- a whole set over a real (fake-embedded) index --------------------------------------------
DOCS = [
    Document("Missing children", "procedure", "/docs/missing.md", (
        Section(("Return interviews",), "A child who has been missing is offered an independent return home "
                "interview within 72 hours of their return. The interview is carried out by someone independent."),
        Section(("Reporting",), "Foster carers report a missing child to the police no later than one hour "
                "after they became aware the child was missing."),
    )),
    Document("Neglect briefing", "briefing", "/docs/neglect.md", (
        Section(("Tools",), "Practitioners use the Graded Care Profile 2 to assess the quality of care "
                "a child receives at home."),
    )),
]


@pytest.fixture
def indexed(data_dir: Path, embedder) -> Path:
    with IndexWriter(data_dir, embedder) as w:
        for d in DOCS:
            w.upsert(d)
        w.commit()
    return data_dir


def test_score_set_over_an_index(indexed: Path, embedder) -> None:
    questions = [
        q("a", "return home interview missing child how soon", evidence=["within 72 hours of their return"],
          facts=["72 hours"]),
        q("b", "Graded Care Profile assess quality of care", evidence=["Graded Care Profile 2"],
          facts=["Graded Care Profile 2"]),
        q("c", "zzz qqq vvv", answerable=False, kind="unanswerable"),
    ]
    assistant = Assistant(indexed, embedder)
    report = score_set("tiny", questions, lambda x: assistant.ask(x.question, k=5))
    assert report.answerable == 2 and report.unanswerable == 1
    assert report.retrieval.evidence_at[5] == 1.0
    assert report.retrieval.mrr == 1.0
    assert report.faithfulness == 1.0 and report.faithful_sentences[1] > 0
    assert report.unanswerable_declined == 1.0
    assert report.key_fact == 1.0 and report.answerable_found == 1.0
    assert report.gate_failures(GATE) == [] and report.misses == {}
    assert report.by_kind["unanswerable"] == {"n": 1, "declined": 1.0}


def test_gate_failures_name_each_missed_threshold(indexed: Path, embedder) -> None:
    assistant = Assistant(indexed, embedder)
    questions = [q("a", "Graded Care Profile", evidence=["not in any passage"], facts=["absent fact"]),
                 q("u", "Graded Care Profile quality of care", answerable=False, kind="unanswerable")]
    report = score_set("tiny", questions, lambda x: assistant.ask(x.question))
    failures = " | ".join(report.gate_failures(GATE))
    for name in ("evidence@5", "MRR", "key fact", "unanswerable declined"):
        assert name in failures
    assert "faithfulness" not in failures
    assert report.misses["no_evidence@5"] == ["a"] and report.misses["not_declined"] == ["u"]
    assert set(report.to_json()) >= {"retrieval", "baselines", "faithfulness", "by_kind", "misses"}


def test_naive_baselines_chunk_and_rank(embedder) -> None:
    chunks = naive_chunks(DOCS, window=100, overlap=20)
    assert all(len(c) <= 100 for c in chunks)
    text = "\n\n".join(s.text for s in DOCS[0].sections)
    assert chunks[0] == text[:100] and chunks[1] == text[80:180]  # windows overlap by 20
    base = NaiveBaselines.build(DOCS, embedder)
    scores = base.score([q("b", "Graded Care Profile", evidence=["Graded Care Profile 2"]),
                         q("u", "nothing", answerable=False)])
    assert scores["bm25_naive"].n == 1 and scores["bm25_naive"].mrr == 1.0
    assert scores["dense_naive"].evidence_at[5] == 1.0


def test_load_questions_reads_the_shipped_sets(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent / "benchmarks" / "questions"
    qs = load_questions(root / "practitioner.jsonl")
    assert len(qs) >= 70 and any(not x.answerable for x in qs) and any(x.history for x in qs)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        load_questions(bad)


def test_eval_command_quick_json_with_the_fake_embedder(embedder) -> None:
    from click.testing import CliRunner

    from assistant.eval_cli import eval_cmd

    result = CliRunner().invoke(eval_cmd, ["--quick", "--json", "--no-save"], obj={"embedder": embedder})
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    (practitioner,) = payload["sets"]
    assert practitioner["name"] == "practitioner" and practitioner["questions"] >= 70
    assert 0.0 <= practitioner["retrieval"]["mrr"] <= 1.0
    assert payload["gate"]["thresholds"]["mrr"] == GATE.mrr
    assert payload["cranfield"] is None and payload["notes"]


def test_cranfield_splits_tune_on_odd_and_hold_out_even() -> None:
    from assistant.cranfield import split_positions

    coll = Collection(docs=[], queries=["q1", "q2", "q3", "q4", "q5"], qrels={1: {"d1": 4.0}, 2: {"d2": 1.0}})
    assert split_positions(coll, "odd") == [1, 3, 5]
    assert split_positions(coll, "even") == [2, 4]
    assert split_positions(coll, "all") == [1, 2, 3, 4, 5]
    s = score_rankings(coll, {1: ["d1"], 2: ["x"]}, positions=[1])
    assert s.ndcg10 == pytest.approx(1.0) and s.recall100 == pytest.approx(1.0)


def test_held_out_sets_are_scored_over_the_corpus_index(tmp_path: Path) -> None:
    from assistant.eval_run import HELD_OUT_SETS, held_out_reports
    from tests.fakes import CountingEmbedder

    reports = held_out_reports(CountingEmbedder(), tmp_path, baselines=False)
    assert [r.name for r in reports] == list(HELD_OUT_SETS)
    for r in reports:
        assert r.questions >= 70 and r.answerable > 0 and r.unanswerable > 0
        assert 0.0 <= r.retrieval.mrr <= 1.0 and r.faithfulness == 1.0


def test_bench_verdicts_judge_each_budget_from_its_own_figure() -> None:
    from assistant.bench import verdicts

    def run(search_p95: float, ask_p95: float, ratio: float, share: float) -> dict[str, str]:
        lat = {"search_p95_ms": search_p95, "search_p95_ms_1_thread": search_p95, "ask_p95_ms": ask_p95,
               "ask_p95_ms_1_thread": ask_p95, "ann": {"kind": "IVF-Flat", "recall@10": 0.99}}
        return verdicts({
            "throughput": {"ratio": ratio, "naive": {"ratio_vs_naive": 1.0}, "project": {"ratio_vs_naive": ratio}},
            "latency": {"100000": lat},
            "incremental": {"share": share, "re_embedded": 1, "changed_chunks": 1},
            "memory": {"maxrss_mb": 800.0, "chunks": 100_000},
            "cold_start": {"first_s": 2.0},
        })

    good = run(search_p95=30.0, ask_p95=160.0, ratio=3.3, share=0.03)
    assert all(v.startswith("met") for v in good.values()), good
    bad = run(search_p95=60.0, ask_p95=900.0, ratio=2.9, share=0.06)
    assert bad["query p95 <= 50 ms at 100k, query embedding included"].startswith("NOT met (search p95 60.0")
    assert bad["warm ask well under 1 s (p95 <= 500 ms at 100k)"].startswith("NOT met")
    assert bad["ingest throughput >= 3x naive"].startswith("NOT met")
    assert bad["incremental <= 5% of full, no unchanged chunk re-embedded"].startswith("NOT met")


def test_every_question_set_matches_the_shipped_corpus(capsys) -> None:
    """Each set's evidence strings and key facts are in corpus/ (a corpus edit that breaks one fails here)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "questions" / "check_questions.py"
    spec = importlib.util.spec_from_file_location("check_questions", path)
    checker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checker)  # type: ignore[union-attr]
    assert checker.main([]) == 0, capsys.readouterr().out
    assert "practitioner.jsonl" in capsys.readouterr().out
