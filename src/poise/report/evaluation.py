"""``poise eval`` output: a rich table of precision/recall/F1 per behaviour, or one JSON document."""

from __future__ import annotations

import json
from typing import Sequence

from rich import box
from rich.markup import escape
from rich.table import Table

from ..evaluate import POLITENESS_THRESHOLD, CategoryCounts, EvalError, Evaluation
from . import console

DASH = "—"


def _pct(value: float | None) -> str:
    return DASH if value is None else f"{value:.1%}"


def render(evaluation: Evaluation, output_format: str = "table", *, show_errors: bool = False,
           failures: Sequence[str] = ()) -> None:
    if output_format == "json":
        render_json(evaluation, show_errors=show_errors, failures=failures)
    else:
        render_table(evaluation, show_errors=show_errors, failures=failures)


def render_json(evaluation: Evaluation, *, show_errors: bool = False,
                failures: Sequence[str] = ()) -> None:
    data = evaluation.to_dict(show_errors)
    data["gate"] = {"passed": not failures, "failures": list(failures)}
    console().out(json.dumps(data, ensure_ascii=False, indent=2), highlight=False)


def render_table(evaluation: Evaluation, *, show_errors: bool = False,
                 failures: Sequence[str] = ()) -> None:
    out = console()
    files = ", ".join(evaluation.files) if len(evaluation.files) <= 3 else \
        f"{len(evaluation.files)} files ({evaluation.files[0]} ... {evaluation.files[-1]})"
    out.print(f"{evaluation.records} labelled turn(s) from {escape(files)}; {evaluation.rules} rules "
              f"(hash {evaluation.rules_hash})")
    table = Table(title="Detection accuracy per behaviour", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False, collapse_padding=True)
    table.add_column("category", no_wrap=True)
    for column in ("judged", "support", "pred", "TP", "FP", "FN", "prec", "recall", "F1"):
        table.add_column(column, justify="right")
    for counts in evaluation.categories:
        table.add_row(*_row(counts))
    if evaluation.categories:
        table.add_section()
        table.add_row(*_row(evaluation.micro), style="bold")
    if evaluation.categories:
        out.print(table)
        out.print(f"judged: labelled turns that judged the category; support: of which positive; pred: "
                  f"of which detected (a finding of the category, with its default polarity, on the "
                  f"labelled turn). {DASH} = undefined (nothing predicted, or no positives).")
    if evaluation.politeness:
        _politeness(evaluation)
    if show_errors:
        _errors("False positives", evaluation.false_positives, "fired")
        _errors("False negatives", evaluation.false_negatives, "found instead")
    err = console(stderr=True)
    for failure in failures:
        err.print(f"[red]below threshold[/]: {escape(failure)}", highlight=False)


def _row(c: CategoryCounts) -> list[str]:
    return [c.category, str(c.judged), str(c.support), str(c.predicted), str(c.tp), str(c.fp),
            str(c.fn), _pct(c.precision), _pct(c.recall), _pct(c.f1)]


def _politeness(evaluation: Evaluation) -> None:
    p = evaluation.politeness
    assert p is not None
    table = Table(title="Politeness: top vs bottom quartile of the human score (Stanford binary task)",
                  title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("records with a politeness score", str(p.records))
    table.add_row("  ... no finding on the labelled turn", str(p.records_no_finding))
    table.add_row("evaluated (top + bottom quartile)", f"{p.evaluated} ({p.per_class} + {p.per_class})")
    table.add_row("accuracy", _pct(p.accuracy))
    table.add_row("  polite quartile predicted polite", f"{p.correct_polite} / {p.per_class}")
    table.add_row("  impolite quartile predicted impolite", f"{p.correct_impolite} / {p.per_class}")
    table.add_row("quartile records with no finding (predicted impolite)", str(p.quartile_no_finding))
    table.add_row("accuracy on quartile records with a finding",
                  f"{_pct(p.accuracy_with_findings)} of {p.with_findings}")
    if p.bottom_max is not None and p.top_min is not None:
        table.add_row("human score: bottom quartile ≤ / top quartile ≥",
                      f"{p.bottom_max:.3f} / {p.top_min:.3f}")
    console().print(table)
    console().print(f"Predictor: weighted sum of findings on the labelled turn (poise.evaluate."
                    f"POLITENESS_WEIGHTS), polite when > {POLITENESS_THRESHOLD:g}.")


def _errors(title: str, errors: Sequence[EvalError], fired_title: str) -> None:
    table = Table(title=f"{title} ({len(errors)})", title_justify="left", show_lines=False)
    for column in ("record", "category", fired_title, "turn text"):
        table.add_column(column, overflow="fold")
    for e in errors:
        table.add_row(escape(e.record), e.category, escape("; ".join(e.fired)), escape(e.text))
    console().print(table)
