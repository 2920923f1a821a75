"""The HTML report: one self-contained, well-formed page; escaped transcripts; highlighted evidence
at the findings' offsets; sortable call table; SVG charts; coaching tips; the transcript limit for
large batches; written atomically by ``poise score -o report.html``."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from conftest import billing_call
from poise.api import Scorer
from poise.batch import InputError
from poise.report import ReportContext, html
from poise.results import CallResult

SAMPLES = Path(__file__).resolve().parents[2] / "sample_transcripts"

BAD = billing_call("call-bad", good=False)
GOOD = billing_call("call-good", good=True)
HOSTILE = """---
id: <img src=x onerror=alert(2)>
agent: "<b>Eve</b>"
team: "Ops & <i>Co</i>"
---
Agent: Thank you for calling, how can I help?
Customer: <script>alert(1)</script> why was I charged "twice" & who's responsible?
Agent: You should have checked </mark></p><script>alert(3)</script> the terms.
"""

CTX = ReportContext(rules_hash="abc123def4567890", scorecard_name="default <scorecard>", scorecard_hash="f00",
                    poise_version="0.0.test")


# -- parsing helpers ------------------------------------------------------------------------------
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """The page's structure: open/close balance, ids, attributes, and per transcript turn the
    text with which characters were inside a <mark> (and of which kind)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: Counter[str] = Counter()
        self.ids: Counter[str] = Counter()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.turns: dict[str, dict] = {}  # li id -> {"text": str, "kinds": list[str | None]}
        self.table_links: dict[str, str] = {}  # call id -> anchor, from the calls table
        self.texts: dict[str, list[str]] = {}  # element id -> its text
        self._turn: str | None = None
        self._in_p = 0
        self._marks: list[str] = []
        self._sup = 0
        self._link: str | None = None
        self._link_text = ""
        self._in_table = False
        self._collect: list[tuple[str, int]] = []  # (id, depth) of elements whose text we keep
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] += 1
        self.elements.append((tag, a))
        if a.get("id"):
            self.ids[a["id"]] += 1
            self.texts.setdefault(a["id"], [])
            if tag not in VOID:
                self._collect.append((a["id"], len(self.stack)))
        if tag == "table" and a.get("id") == "calls-table":
            self._in_table = True
        if self._in_table and tag == "a":
            self._link, self._link_text = a.get("href"), ""
        if tag == "li" and re.fullmatch(r"call-\d+-t\d+", a.get("id") or ""):
            self._turn = a["id"]
            self.turns[self._turn] = {"text": "", "kinds": []}
        if self._turn and tag == "p":
            self._in_p += 1
        if self._in_p and tag == "mark":
            kind = next((k for k in ("de", "cr", "sg") if k in (a.get("class") or "").split()), "?")
            self._marks.append(kind)
        if self._in_p and tag == "sup":
            self._sup += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] += 1
        self.elements.append((tag, a))
        if a.get("id"):
            self.ids[a["id"]] += 1

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}> "
                                 f"at line {self.getpos()[0]}")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        while self._collect and self._collect[-1][1] >= len(self.stack):
            self._collect.pop()
        if tag == "table":
            self._in_table = False
        if tag == "a" and self._link is not None:
            self.table_links[self._link_text.strip()] = self._link.lstrip("#")
            self._link = None
        if tag == "li" and self._turn and self._in_p == 0:
            self._turn = None
        if tag == "p" and self._in_p:
            self._in_p -= 1
        if tag == "mark" and self._marks:
            self._marks.pop()
        if tag == "sup" and self._sup:
            self._sup -= 1

    def handle_data(self, data):
        for element_id, _ in self._collect:
            self.texts[element_id].append(data)
        if self._link is not None:
            self._link_text += data
        if self._turn and self._in_p and not self._sup:
            turn = self.turns[self._turn]
            turn["text"] += data
            turn["kinds"] += [self._marks[-1] if self._marks else None] * len(data)

    def text_of(self, element_id: str) -> str:
        return "".join(self.texts.get(element_id, []))


# -- fixtures -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def scorer():
    return Scorer()


@pytest.fixture(scope="module")
def calls_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("calls")
    (folder / "bad.txt").write_text(BAD)
    (folder / "good.txt").write_text(GOOD)
    (folder / "hostile.txt").write_text(HOSTILE)
    (folder / "broken.json").write_text("{")
    return folder


def score(scorer, *paths):
    items = list(scorer.score_files(paths))
    return ([i for i in items if not isinstance(i, InputError)], [i for i in items if isinstance(i, InputError)])


@pytest.fixture(scope="module")
def scored(scorer, calls_dir):
    results, errors = score(scorer, calls_dir)
    assert {r.id for r in results} == {"call-bad", "call-good", "<img src=x onerror=alert(2)>"}
    assert len(errors) == 1
    return results, errors


@pytest.fixture(scope="module")
def page_text(scored):
    results, errors = scored
    return html.render(results, errors, CTX)


@pytest.fixture(scope="module")
def page(page_text):
    return Page(page_text)


def by_id(results, call_id) -> CallResult:
    return next(r for r in results if r.id == call_id)


# -- structure --------------------------------------------------------------------------------------
def test_page_parses_with_balanced_tags_unique_ids_and_working_anchors(page_text, page):
    assert page_text.startswith("<!DOCTYPE html>")
    assert page.problems == []
    assert page.stack == []
    assert [i for i, n in page.ids.items() if n > 1] == []
    for tag, attrs in page.elements:
        href = attrs.get("href") or ""
        if href.startswith("#"):
            assert href[1:] in page.ids, f"<{tag} href={href}> points nowhere"
    for section in ("summary", "calls", "details", "unreadable", "histogram", "section-chart", "calls-table"):
        assert section in page.ids


def test_page_is_self_contained(page_text, page):
    lowered = page_text.lower()
    assert "<script src" not in lowered and "<link" not in lowered
    assert "url(" not in lowered and "@import" not in lowered
    assert page.tags["script"] == 1  # ours, inline
    for tag, attrs in page.elements:
        assert "src" not in attrs, f"<{tag} src=...>"
        for name, value in attrs.items():
            if name == "href" and tag == "a":
                continue  # a link the reader may follow, not something the page loads
            assert not re.match(r"\s*(https?:|//|javascript:)", value or "", re.I), f"<{tag} {name}={value}>"
    assert "http://" not in page_text and "https://" not in page_text  # no rule here carries a link


def test_content_security_policy_allows_only_the_pages_own_script(page_text):
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page_text).group(1)
    assert "default-src 'none'" in policy and "unsafe-inline'; base-uri" in policy
    script = re.search(r"<script>(.*?)</script>", page_text, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy
    assert 'setAttribute("data-ready", "1")' in script


def test_header_names_version_rules_scorecard_and_masking(scored, page_text):
    assert "poise 0.0.test" in page_text and "rules abc123def4567890" in page_text
    assert "scorecard default &lt;scorecard&gt;" in page_text
    assert "Personal data masked" in page_text
    assert "555-867-5309" not in page_text and "4111 1111 1111 1111" not in page_text
    unmasked = html.render(*scored, dataclasses.replace(CTX, redacted=False))
    assert "Personal data NOT masked" in unmasked and "Personal data masked" not in unmasked


# -- escaping -----------------------------------------------------------------------------------------
def test_hostile_transcript_metadata_and_ids_are_escaped(page_text, page):
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_text
    assert "<script>alert" not in page_text and "alert(1)</script>" not in page_text
    assert "&lt;/mark&gt;&lt;/p&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in page_text
    assert "&lt;img src=x onerror=alert(2)&gt;" in page_text
    assert "<img" not in page_text and "<b>Eve</b>" not in page_text and "<i>Co</i>" not in page_text
    for tag, attrs in page.elements:
        assert not [name for name in attrs if name.startswith("on")], f"event handler on <{tag}>"
    assert page.tags["img"] == 0


def test_hostile_turn_text_survives_exactly_as_text(scored, page):
    results, _ = scored
    hostile = by_id(results, "<img src=x onerror=alert(2)>")
    anchor = page.table_links["<img src=x onerror=alert(2)>"]
    for i, turn in enumerate(hostile.turns):
        assert page.turns[f"{anchor}-t{i + 1}"]["text"] == turn["text"]


# -- the evidence highlighted --------------------------------------------------------------------------
def test_every_finding_span_is_highlighted_at_its_offsets(scored, page):
    results, _ = scored
    checked = 0
    for r in results:
        anchor = page.table_links[r.id]
        for i, turn in enumerate(r.turns):
            shown = page.turns[f"{anchor}-t{i + 1}"]
            assert shown["text"] == turn["text"]  # the pieces put back together are the turn
            spans = [f for f in r.findings if f["turn"] == i and f["start"] is not None]
            covered = {k for f in spans for k in range(f["start"], f["end"])}
            for f in spans:
                assert shown["text"][f["start"]:f["end"]] == f["text"]
                assert all(shown["kinds"][k] is not None for k in range(f["start"], f["end"])), f["rule"]
                checked += 1
            assert all(kind is None for k, kind in enumerate(shown["kinds"]) if k not in covered)
    assert checked >= 5


def test_deductions_and_credits_are_marked_differently(scored, page, page_text):
    results, _ = scored
    bad = by_id(results, "call-bad")
    anchor = page.table_links["call-bad"]
    blame = next(f for f in bad.deductions if f["category"] == "blame")
    kinds = page.turns[f"{anchor}-t{blame['turn'] + 1}"]["kinds"][blame["start"]:blame["end"]]
    assert set(kinds) == {"de"}
    assert re.search(r'<mark class="hl de k\d+" title="− blame[^"]*">' + re.escape(str(escape(blame["text"]))),
                     page_text)
    greeting = next(f for f in bad.credits if f["category"] == "greeting")
    kinds = page.turns[f"{anchor}-t{greeting['turn'] + 1}"]["kinds"][greeting["start"]:greeting["end"]]
    assert "cr" in kinds
    # not colour alone: a sign after each span, solid vs wavy underline, and a legend saying so
    assert '<sup class="mk' in page_text and ">−</sup>" in page_text and ">+</sup>" in page_text
    assert ".hl.cr{border-bottom:2px solid" in page_text and "underline wavy" in page_text
    assert "solid underline" in page.text_of("details") and "wavy underline" in page.text_of("details")


def test_overlapping_and_out_of_range_spans():
    palette = {"blame": ("k0", "#c62828"), "courtesy": ("k1", "#6a1b9a")}

    def f(category, start, end, polarity):
        return {"rule": f"{category}.x", "category": category, "polarity": polarity, "start": start,
                "end": end, "message": category, "turn": 0}

    text = "Sir, you should have read it."
    pieces = html.highlight_pieces(text, [f("courtesy", 0, 3, "credit"), f("blame", 0, 20, "deduction"),
                                          f("courtesy", 25, 99, "credit")], palette)
    assert "".join(p[0] for p in pieces) == text
    assert pieces[0][:2] == ("Sir", "hl de k0")  # the deduction's look wins where both apply
    assert pieces[0][2] == "− blame, + courtesy"
    assert pieces[0][3] == (("+", "k1"),)  # courtesy ends after "Sir"
    assert pieces[1][0] == ", you should have" and pieces[1][3] == (("−", "k0"),)
    assert pieces[2] == (" read it.", "", "", ())  # the out-of-range span is left out


# -- summary, table, charts, tips ---------------------------------------------------------------------------
def test_summary_figures_and_svg_histogram(scored, page_text, page):
    results, errors = scored
    summary = page.text_of("summary")
    assert f"{len(results)}calls scored" in summary.replace("\n", "")
    histogram = re.search(r'<figure id="histogram">(.*?)</figure>', page_text, re.S).group(1)
    assert "<svg" in histogram and histogram.count('<g class="bar">') == 10
    counts = [int(n) for n in re.findall(r"<title>\d+–\d+: (\d+) calls?", histogram)]
    assert len(counts) == 10 and sum(counts) == sum(1 for r in results if r.score is not None)
    assert histogram.count("<rect") == sum(1 for n in counts if n)
    chart = re.search(r'<figure id="section-chart">(.*?)</figure>', page_text, re.S).group(1)
    for section in results[0].sections:
        assert str(escape(section["name"])) in chart


def test_most_frequent_deductions(scored, page_text):
    results, _ = scored
    table = re.search(r'<table id="frequent-deductions">(.*?)</table>', page_text, re.S).group(1)
    for rule in {f["rule"] for r in results for f in r.deductions}:
        assert f"<code>{rule}</code>" in table


def test_call_table_is_sortable_worst_first_and_links_to_each_call(scored, page_text, page):
    results, _ = scored
    table = re.search(r'<table id="calls-table" class="sortable">(.*?)</table>', page_text, re.S).group(1)
    heads = re.findall(r'<th[^>]*data-type="(num|str)"[^>]*><button type="button">([^<]+)</button>', table)
    assert [h[1] for h in heads] == ["Call", "Score", "Band", "Agent", "Team", "Top deduction", "Credits",
                                     "Deductions"]
    assert re.search(r'<th class="num" data-type="num" aria-sort="ascending"><button type="button">Score', table)
    scores = [float(v) for v in re.findall(r'<td class="num" data-v="([\d.]+)">', table)]
    assert scores == sorted(scores) and len(scores) == len(results)
    for r in results:
        anchor = page.table_links[r.id]
        assert page.ids[anchor] == 1
        assert r.id in page.text_of(anchor)  # the <details> for that call
    assert "Dana" in table and "Billing" in table
    assert 'document.getElementById("calls-table")' in page_text and "sortBy" in page_text


def test_call_details_show_score_band_sections_and_tips(scored, page):
    results, _ = scored
    bad = by_id(results, "call-bad")
    details = page.text_of(page.table_links["call-bad"])
    assert f"{bad.score:.1f}" in details and bad.band in details
    for section in bad.sections:
        assert section["name"] in details
        for line in section["lines"]:
            assert line["item"] in details
    assert "DEDUCTION" in details and "PRESENT" in details
    assert "Coaching tips" in details and "Strengths" in details
    for f in bad.deductions:
        assert f["message"] in details
        if f.get("tip"):
            assert " ".join(f["tip"].split()) in " ".join(details.split())
    for f in bad.credits:
        assert f["message"] in details


def test_auto_fail_reason_is_shown(scored):
    results, errors = scored
    bad = by_id(results, "call-bad")
    failed = dataclasses.replace(bad, score=0.0, band="Unacceptable", auto_fail="Agent used <profanity>")
    text = html.render([failed], [], CTX)
    assert "AUTO-FAIL" in text and "Agent used &lt;profanity&gt;" in text


def test_unreadable_files_are_listed_with_reasons(scored, page):
    _, errors = scored
    listed = page.text_of("unreadable")
    assert errors[0].path in listed and errors[0].reason in listed
    assert "1unreadable files" in page.text_of("summary")


def test_group_by_table_only_when_asked(scored, page_text):
    assert 'id="group-table"' not in page_text
    text = html.render(*scored, dataclasses.replace(CTX, group_by="team"))
    grouped = Page(text)
    table = grouped.text_of("groups")
    assert "By team" in table and "Billing" in table and "Care" in table
    assert "Ops &amp; &lt;i&gt;Co&lt;/i&gt;" in text


def test_gate_verdict_in_header(scored):
    text = html.render(*scored, dataclasses.replace(CTX, gate={"passed": False, "summary": "1 call below 70"}))
    assert "Gate FAILED: 1 call below 70" in text


def test_empty_batch_renders(scored):
    _, errors = scored
    page = Page(html.render([], errors, CTX))
    assert page.problems == [] and "histogram" not in page.ids and "unreadable" in page.ids


# -- big batches ---------------------------------------------------------------------------------------
def test_transcripts_only_for_the_worst_calls_beyond_the_limit(scored, monkeypatch):
    results, _ = scored
    many = [dataclasses.replace(results[i % len(results)], id=f"call-{i:04d}", score=float(i % 100))
            for i in range(300)]
    monkeypatch.setattr(html, "TRANSCRIPT_LIMIT", 20)
    text = html.render(many, [], CTX)
    page = Page(text)
    assert page.problems == []
    assert text.count('<ol class="transcript">') == 20
    assert "transcript-limit" in page.ids and "20 lowest-scoring calls" in page.text_of("transcript-limit")
    assert page.tags["details"] == 300
    worst = [f"call-{i:04d}" for i in range(300) if i % 100 < 7]  # scores 0..6: the 21 worst
    assert f'{page.table_links[worst[0]]}-t1' in page.ids
    # the rest keep scores and deductions, and say how to see everything
    last = page.text_of(page.table_links["call-0099"])
    assert "Deductions" in last and "poise show" in last
    # linear: a call beyond the limit costs a bounded share of the file
    per_call = (len(text) - len(html.render(many[:20], [], CTX))) / 280
    assert per_call < 4000


def test_sample_transcripts_render(scorer):
    results, errors = score(scorer, SAMPLES)
    text = html.render(results, errors, CTX)
    page = Page(text)
    assert page.problems == [] and page.stack == []
    assert len(results) >= 10
    for r in results:
        assert r.id in page.table_links
    assert text.count('<ol class="transcript">') == sum(1 for r in results if r.turns)


# -- the command line -------------------------------------------------------------------------------
def test_score_writes_the_html_report_atomically(calls_dir, tmp_path, run_cli, monkeypatch):
    """Written piece by piece into a temp file beside the target and renamed at the end: while it
    is written the old report is still whole, and a failure half-way leaves the old report."""
    out = tmp_path / "out" / "report.html"
    out.parent.mkdir()
    out.write_text("old report")
    during = []
    real = html.write

    def spy(fh, *args):
        real(fh, *args)
        during.append(out.read_text())

    monkeypatch.setattr(html, "write", spy)
    result = run_cli("score", calls_dir, "-o", out)
    assert result.exit_code == 3  # broken.json is unreadable; the report is written anyway
    assert during == ["old report"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.html"]  # no temp file left
    text = out.read_text(encoding="utf-8")
    page = Page(text)
    assert page.problems == [] and "call-bad" in page.table_links and "broken.json" in page.text_of("unreadable")
    assert f"wrote html report: {out}" in result.stderr.replace("\n", "")


def test_a_failure_while_writing_the_html_report_keeps_the_old_one(calls_dir, tmp_path, run_cli, monkeypatch):
    out = tmp_path / "out" / "report.html"
    out.parent.mkdir()
    out.write_text("old report")
    real, seen = html._call, []

    def fail_on_second(*args, **kwargs):
        seen.append(1)
        if len(seen) == 2:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(html, "_call", fail_on_second)
    result = run_cli("score", calls_dir, "-o", out)
    assert result.exit_code != 0 and len(seen) == 2
    assert out.read_text() == "old report"
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.html"]  # the temp file is gone
