"""`guidance eval` and `guidance bench`: thin commands over assistant.eval_run and assistant.bench.

Registered in assistant/cli.py by the lead:
    from assistant.eval_cli import bench_cmd, eval_cmd
    cli.add_command(eval_cmd, "eval"); cli.add_command(bench_cmd, "bench")
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"


def _embedder(ctx: click.Context):
    """An injected embedder (tests) or the real model; the runs below need it at once."""
    obj = ctx.find_object(dict) or {}
    injected = obj.get("embedder")
    if injected is not None:
        return injected
    from index.embedder import SentenceTransformerEmbedder

    settings = obj.get("settings")
    return SentenceTransformerEmbedder(getattr(settings, "model_path", None))


def _write(name: str, payload: dict) -> Path:
    """Results JSON under benchmarks/results/, written whole (temporary file, then rename)."""
    from index.generations import write_atomic

    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    write_atomic(path, (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return path


def _log(msg: str) -> None:
    """Progress goes to stderr, so --json output on stdout stays machine-readable."""
    click.echo(msg, err=True)


@click.command("eval")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.option("--quick", is_flag=True, help="Practitioner set only: no site set, no baselines, no Cranfield.")
@click.option("--gate", is_flag=True, help="Exit 1 when the practitioner set misses a quality threshold.")
@click.option("--save/--no-save", default=None,
              help="Write benchmarks/results/eval-<date>.json (default: on for full runs).")
@click.pass_context
def eval_cmd(ctx: click.Context, as_json: bool, quick: bool, gate: bool, save: bool | None) -> None:
    """Retrieval and answer quality on the project's question sets (and Cranfield)."""
    from assistant.eval_run import render, run_eval

    report = run_eval(_embedder(ctx), quick=quick, log=_log)
    payload = report.to_json()
    if save if save is not None else not quick:
        path = _write(f"eval-{date.today().isoformat()}{'-quick' if quick else ''}.json", payload)
        click.echo(f"wrote {path}", err=True)
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False) if as_json else render(report))
    practitioner = next((s for s in report.sets if s.name == "practitioner"), None)
    if gate and practitioner is not None and practitioner.gate_failures():
        ctx.exit(1)


@click.command("bench")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.option("--quick", is_flag=True, help="Small sizes (1k/10k chunks, fewer texts): about two minutes.")
@click.pass_context
def bench_cmd(ctx: click.Context, as_json: bool, quick: bool) -> None:
    """Speed and memory against the budgets in DESIGN.md; writes benchmarks/results/bench-<date>.json."""
    from assistant.bench import render, run_bench

    results = run_bench(quick=quick, log=_log)
    path = _write(f"bench-{date.today().isoformat()}{'-quick' if quick else ''}.json", results)
    click.echo(f"wrote {path}", err=True)
    click.echo(json.dumps(results, indent=2, ensure_ascii=False) if as_json else render(results))
