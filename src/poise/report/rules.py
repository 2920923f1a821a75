"""Terminal output for the rule-authoring commands: list, validate, test, explain."""

from __future__ import annotations

from typing import Sequence

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..detect import CallAnalysis, Detector
from ..errors import ConfigError
from ..rules.model import Rule
from ..ruletest import ExampleResult
from . import console

POLARITY_STYLE = {"credit": "green", "deduction": "red"}


def rule_table(rules: Sequence[Rule]) -> None:
    table = Table(title=f"{len(rules)} rule(s)", title_justify="left")
    for column in ("id", "category", "polarity", "severity", "kind", "speaker", "message"):
        table.add_column(column, overflow="fold")
    for r in sorted(rules, key=lambda r: (r.category, r.id)):
        table.add_row(r.id, r.category, Text(r.polarity, style=POLARITY_STYLE[r.polarity]), r.severity,
                      r.kind, r.speaker, r.message)
    console().print(table)


def validation_problems(problems: Sequence[ConfigError]) -> None:
    err = console(stderr=True)
    for p in problems:
        err.print(Text(str(p)), highlight=False)
    err.print(f"[red]{len(problems)} problem(s)[/] in rule files")


def validation_ok(rules: Sequence[Rule], files: int) -> None:
    console().print(f"[green]ok[/]: {len(rules)} rule(s) in {files} file(s) are valid")


def example_results(results: Sequence[ExampleResult], warnings: Sequence[str] = ()) -> None:
    out = console()
    failed = [r for r in results if not r.passed]
    for r in failed:
        want = "should match" if r.expected else "should not match"
        where = f"{r.rule.source}:{r.example.line}" if r.example.line else r.rule.source
        out.print(f"[red]FAIL[/] {escape(where)} [bold]{escape(r.rule.id)}[/] {want}: "
                  f"{escape(repr(r.example.text))}", highlight=False)
        if r.example.customer:
            out.print(f"     after customer: {escape(repr(r.example.customer))}", highlight=False)
        if r.fired:
            out.print(f"     fired on: {escape(', '.join(repr(t) for t in r.fired))}", highlight=False)
        if r.others:
            out.print(f"     other rules fired: {escape('; '.join(r.others[:4]))}", highlight=False)
    for w in warnings:
        console(stderr=True).print(f"[yellow]warning[/]: {escape(w)}")
    rules = {r.rule.id for r in results}
    out.print(f"{len(results) - len(failed)} passed, {len(failed)} failed "
              f"({len(results)} examples in {len(rules)} rules)")


def coverage(never_fired: Sequence[Rule], total: int, calls: int) -> None:
    out = console()
    if not never_fired:
        out.print(f"every one of {total} rule(s) fired at least once on {calls} call(s)")
        return
    table = Table(title=f"{len(never_fired)} of {total} rule(s) never fired on {calls} call(s)",
                  title_justify="left")
    table.add_column("id")
    table.add_column("category")
    table.add_column("defined at", overflow="fold")
    for r in never_fired:
        table.add_row(r.id, r.category, r.location)
    out.print(table)


def explain(analysis: CallAnalysis, detector: Detector) -> None:
    out = console()
    t = analysis.transcript
    last = len(t.turns) - 1
    doc = detector.nlp(t.turns[last].text)
    tokens = Table(title="Tokens", title_justify="left", show_lines=False)
    for column in ("#", "text", "lower", "lemma", "sent start"):
        tokens.add_column(column)
    for tok in doc:
        tokens.add_row(str(tok.i), tok.text, tok.lower_, tok.lemma_ or "", "yes" if tok.is_sent_start else "")
    out.print(tokens)
    matches = Table(title="Rule matches", title_justify="left")
    for column in ("rule", "category", "turn", "words", "result"):
        matches.add_column(column, overflow="fold")
    for c in analysis.candidates:
        rule = detector.rules[c.rule_index]
        result = Text("fired", style=POLARITY_STYLE[rule.polarity]) if c.cancelled is None \
            else Text(f"cancelled: {c.cancelled}", style="dim")
        matches.add_row(rule.id, rule.category, t.turns[c.turn].speaker, repr(c.text), result)
    for f in analysis.findings:
        if f.turn is None:
            matches.add_row(f.rule, f.category, "call", f.text or "—",
                            Text(f.message, style=POLARITY_STYLE[f.polarity]))
    if not matches.row_count:
        out.print("no rule matched")
    else:
        out.print(matches)
