"""The terminal's conversation dynamics: the one-call timeline (speech rows, pauses and holds,
interruptions, time axis), the sentiment sparkline, the metrics table, and the batch view's
metric distributions. Calls are scored for real from hand-built timed transcripts."""

from __future__ import annotations

import re

import pytest

from poise.api import Scorer
from poise.report import ReportContext, terminal
from poise.results import CallResult
from poise.transcript import RoleAssignment, Transcript, Turn

from conftest import SAMPLES

CTX = ReportContext(rules_hash="abc123def4567890", scorecard_name="test scorecard", scorecard_hash="f00",
                    poise_version="0.0.test")
WIDTH = 80 - terminal.LABEL_WIDTH  # timeline cells at 80 columns


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


def transcript(*turns, id="timed"):
    """(speaker, text, start, end) tuples as a Transcript."""
    return Transcript(id, tuple(Turn(s, s.title(), text, start, end) for s, text, start, end in turns),
                      source=f"calls/{id}.json", format="json", roles=RoleAssignment("source"))


def scored(scorer, *turns, id="timed") -> CallResult:
    return next(iter(scorer.score_transcripts([transcript(*turns, id=id)])))


def sample(scorer, name) -> CallResult:
    return next(r for r in scorer.score_files([SAMPLES / name]) if isinstance(r, CallResult))


def show(screen, result) -> str:
    terminal.render_call(result, CTX)
    return screen.readouterr().out


def row(out, label) -> str:
    """The timeline cells of the row labelled ``label`` (the first such line)."""
    line = next(line for line in out.splitlines() if line.startswith(label.ljust(terminal.LABEL_WIDTH)))
    return line[terminal.LABEL_WIDTH:].ljust(WIDTH)[:WIDTH]


def section(out, start, end=None) -> str:
    text = out[out.index(start):]
    return text[:text.index(end)] if end else text


def cell(seconds, duration):
    return int(seconds / (duration / WIDTH))


# -- the timeline --------------------------------------------------------------------------------
def test_agent_speaking_the_first_half_fills_the_left_half_of_the_agent_row(screen, scorer):
    result = scored(scorer, ("agent", "Thank you for calling, my name is Sam, how can I help you today?", 0.0, 10.0),
                    ("customer", "I would like to change the address on my account please.", 10.0, 20.0))
    out = show(screen, result)
    agent, customer = row(out, "AGENT"), row(out, "CUSTOMER")
    filled = len(agent.rstrip())
    assert abs(filled - WIDTH / 2) <= 1
    assert set(agent[:filled - 1]) == {terminal.FULL} and not agent[filled:].strip()
    assert not customer[:filled - 1].strip()  # the customer starts where the agent stops
    assert set(customer[filled:]) == {terminal.FULL}
    # the column holding 0:10 is shared: each fills it only partly or, past half, fully
    assert agent[filled - 1] in (terminal.FULL, terminal.PART)
    assert "Timeline  0:00–0:20" in out


def test_a_short_turn_shows_as_a_partly_filled_column(screen, scorer):
    result = scored(scorer, ("agent", "Thank you for calling, how can I help you today?", 0.0, 30.0),
                    ("customer", "Hi.", 30.0, 30.1), ("agent", "Go ahead, I am listening to you now.", 30.2, 69.0))
    customer = row(show(screen, result), "CUSTOMER")
    assert customer.strip() == terminal.PART


def test_agent_and_customer_interruptions_are_marked_where_they_start(screen, scorer):
    result = scored(scorer,
                    ("customer", "So my internet keeps dropping every single evening since last week", 0.0, 6.0),
                    ("agent", "Right so what you need to do is restart the router", 4.5, 9.0),
                    ("customer", "No wait I already did that twice", 8.0, 12.0),
                    ("agent", "Okay, then I will send a technician out to you.", 12.5, 20.0))
    assert [(i["by"], i["at"]) for i in result.metrics["interruption_list"]] == [("agent", 4.5), ("customer", 8.0)]
    marks = row(show(screen, result), "interrupts")
    assert marks.index(terminal.AGENT_INTERRUPTS) == cell(4.5, 20.0)
    assert marks.index(terminal.CUSTOMER_INTERRUPTS) == cell(8.0, 20.0)
    assert marks.count(terminal.AGENT_INTERRUPTS) == marks.count(terminal.CUSTOMER_INTERRUPTS) == 1


def test_silences_and_holds_are_marked_in_the_pause_row(screen, scorer):
    result = scored(scorer,
                    ("agent", "Thanks for calling, how can I help you?", 0.0, 4.0),
                    ("customer", "My order never arrived.", 4.5, 8.0),
                    ("agent", "Let me look that up.", 8.5, 10.0),
                    # 6 s of unexplained silence
                    ("agent", "May I place you on a brief hold while I check with the warehouse?", 16.0, 20.0),
                    ("customer", "Sure.", 20.5, 21.0),
                    # a 40 s hold
                    ("agent", "Thank you for holding, your parcel ships again today.", 61.0, 66.0),
                    ("customer", "Great, thanks.", 66.5, 68.0))
    m = result.metrics
    assert m["silences"] == [{"at": 10.0, "seconds": 6.0}, {"at": 21.0, "seconds": 40.0}]
    out = show(screen, result)
    pauses = row(out, "pauses")
    end = 68.0
    assert set(pauses[cell(10.5, end):cell(15.5, end)]) == {terminal.SILENCE}
    assert set(pauses[cell(22, end):cell(60, end)]) == {terminal.HOLD}
    assert terminal.HOLD not in pauses[:cell(20, end)] and terminal.SILENCE not in pauses[cell(20, end):]
    assert not pauses[:cell(10, end) - 1].strip() and not pauses[cell(61, end) + 1:].strip()
    metrics = section(out, "Conversation metrics", "Highlights")
    assert re.search(r"Holds\s+1 · silence 40\.0 s · thanked 1 of 1", metrics)
    assert re.search(r"Non-talk time\s+46\.0 s in 2 silences ≥ 3 s", metrics)


def test_the_sample_hold_shows_as_h_across_its_silence(screen, scorer):
    result = sample(scorer, "hold_transfer_good.vtt")
    out = show(screen, result)
    pauses = row(out, "pauses")
    end = max(t["end"] for t in result.turns)
    assert set(pauses[cell(93.5, end):cell(137, end)]) == {terminal.HOLD}
    assert terminal.SILENCE not in pauses
    assert row(out, "interrupts").strip() == "(no interruptions)"


def test_time_axis_runs_from_zero_to_the_end_of_the_call(screen, scorer):
    out = show(screen, sample(scorer, "billing_dispute_bad.json"))
    axis = next(line for line in out.splitlines() if line.startswith(" " * terminal.LABEL_WIDTH + "0:00"))
    assert axis.rstrip().endswith("2:29") and len(axis.rstrip()) == 80
    ticks = re.findall(r"\d+:\d\d", axis)
    assert ticks == ["0:00", "0:30", "1:00", "1:30", "2:00", "2:29"]
    assert axis.index("1:00") - terminal.LABEL_WIDTH == cell(60, 149.833)


def test_time_axis_labels_never_run_into_each_other():
    for end in (7.0, 59.0, 61.0, 149.8, 595.0, 3700.0):
        for width in (20, 40, 69, 150):
            axis = terminal.time_axis(0.0, end, width)
            assert len(axis) == width and axis.startswith("0:00") and axis.endswith(terminal.mss(end))
            assert re.fullmatch(r"[\d:]+( +[\d:]+)*", axis.strip()), (end, width, axis)


# -- sentiment -----------------------------------------------------------------------------------
def test_sparkline_has_one_character_per_turn_of_each_speaker(screen, scorer):
    result = sample(scorer, "billing_dispute_bad.json")
    out = show(screen, result)
    speakers = [t["speaker"] for t in result.turns]
    sentiment = section(out, "Sentiment per turn", "Conversation metrics")
    for role in ("agent", "customer"):
        spark = row(sentiment, role.upper()).rstrip()
        assert len(spark) == speakers.count(role)
        mine = [s for who, s in zip(speakers, result.metrics["sentiment.turns"]) if who == role]
        assert spark == "".join(terminal.spark_char(s) for s in mine)
    change = result.metrics["sentiment.customer.change"]
    assert f"change {change:+.2f}" in sentiment
    # the source's own labels are drawn too, one character per turn as well
    vendor = sentiment[sentiment.index("own sentiment labels"):]
    assert len(row(vendor, "CUSTOMER").rstrip()) == speakers.count("customer")


def test_spark_characters_run_from_most_negative_to_most_positive():
    assert terminal.spark_char(-1.0) == "▁" and terminal.spark_char(1.0) == "█"
    assert terminal.spark_char(0.0) == terminal.spark_char(0.04) == terminal.spark_char(-0.04) == "▄"
    levels = [terminal.SPARK.index(terminal.spark_char(x / 20)) for x in range(-20, 21)]
    assert levels == sorted(levels)
    assert terminal.spark_char(None) == terminal.SILENCE


def test_a_long_call_folds_several_turns_into_each_sparkline_character():
    assert len(terminal.sparkline([0.5] * 200, 69).plain) == 69
    assert terminal.sparkline([-0.9, -0.9, 0.9, 0.9], 2).plain == "▁█"


# -- calls without timings -----------------------------------------------------------------------
def test_untimed_call_says_metrics_are_na_but_still_draws_sentiment(screen, scorer):
    result = scored(scorer, ("agent", "Thank you for calling, how can I help?", None, None),
                    ("customer", "This is terrible, I am furious.", None, None),
                    ("agent", "I am sorry, let me fix that right away.", None, None),
                    ("customer", "Great, thank you so much!", None, None), id="untimed")
    out = show(screen, result)
    assert terminal.NO_TIMINGS in out.splitlines()
    assert "Timeline" not in out and "Conversation metrics" not in out and "pauses" not in out
    sentiment = section(out, "Sentiment per turn", "Highlights")
    assert len(row(sentiment, "AGENT").rstrip()) == 2 and len(row(sentiment, "CUSTOMER").rstrip()) == 2
    assert out.index(terminal.NO_TIMINGS) < out.index("Transcript")


# -- the metrics table ---------------------------------------------------------------------------
def test_metrics_table_gives_each_figure_and_marks_those_past_a_rule(screen, scorer):
    result = sample(scorer, "billing_dispute_bad.json")
    m = result.metrics
    metrics = section(show(screen, result), "Conversation metrics", "Highlights")
    assert re.search(rf"Talk time\s+agent {m['talk_time.agent']:.1f} s · customer {m['talk_time.customer']:.1f} s",
                     metrics)
    assert re.search(rf"Talk ratio\s+agent {m['talk_ratio.agent']:.1%}", metrics)
    assert re.search(r"Non-talk time\s+none", metrics)
    assert re.search(rf"Longest monologue\s+agent {m['longest_monologue.agent']:.1f} s", metrics)
    assert re.search(rf"Agent talk speed\s+{m['talk_speed.agent']:.0f} words per minute", metrics)
    assert re.search(rf"Response latency\s+median {m['response_latency.agent.median']:.1f} s · p90", metrics)
    assert re.search(r"Interruptions\s+agent 3 · customer 0  past ≥ 3 \(call-control\.interruptions\)", metrics)
    assert "talk-ratio" not in metrics  # 42% is not past the rule
    assert re.search(r"Holds\s+none", metrics)


# -- the batch view ------------------------------------------------------------------------------
def batch_call(id, **metrics):
    return CallResult(id=id, source=f"calls/{id}.json", format="json", metadata={}, roles={}, turns=(),
                      findings=(), score=70.0, band="Needs coaching", auto_fail=None, sections=(),
                      metrics=metrics)


def timed_metrics(ratio, interruptions, change=None):
    return {"duration": 100.0, "talk_ratio.agent": ratio, "interruptions.agent": interruptions,
            "non_talk_time": 0.0, "longest_monologue.agent": 20.0, "talk_speed.agent": 150.0,
            "response_latency.agent.median": 1.0, "sentiment.customer.change": change}


def test_distributions_give_count_min_median_p90_max_and_calls_past_each_rule(screen):
    results = [batch_call("a", **timed_metrics(0.5, 0, 0.2)), batch_call("b", **timed_metrics(0.6, 1, -0.4)),
               batch_call("c", **timed_metrics(0.8, 3)), batch_call("d", **timed_metrics(0.9, 4, 0.1)),
               batch_call("untimed", duration=None, **{"talk_ratio.agent": None,
                                                       "sentiment.customer.change": -0.5})]
    rows = {r["metric"]: r for r in terminal.metric_distributions(results)}
    ratio = rows["talk_ratio.agent"]
    assert (ratio["calls"], ratio["min"], ratio["max"], ratio["crossed"]) == (4, 0.5, 0.9, 2)
    assert ratio["median"] == pytest.approx(0.7) and ratio["p90"] == pytest.approx(0.87)
    inter = rows["interruptions.agent"]
    assert (inter["calls"], inter["median"], inter["crossed"]) == (4, 2.0, 2)  # >= 3: c and d
    change = rows["sentiment.customer.change"]  # sentiment needs no timings: the untimed call counts
    assert (change["calls"], change["min"], change["crossed"]) == (4, -0.5, 2)
    assert change["median"] == pytest.approx(-0.15) and change["p90"] == pytest.approx(0.17)
    assert rows["talk_speed.agent"]["crossed"] is None  # no shipped rule watches it
    terminal.render(results, [], CTX)
    out = screen.readouterr().out
    table = section(out, "Conversation metrics (4 of 5 calls timed)")
    assert re.search(r"talk_ratio\.agent\s+4\s+0\.50\s+0\.70\s+0\.87\s+0\.90\s+> 0\.7: 2", table)
    assert re.search(r"interruptions\.agent\s+4\s+0\s+2\s+3\.7\s+4\s+≥ 3: 2", table)
    assert re.search(r"sentiment\.customer\.change\s+4\s+-0\.50\s+-0\.15\s+\+0\.17\s+\+0\.20\s+< -0\.3: 2", table)
    assert re.search(r"talk_speed\.agent\s+4\s+150\s+150\s+150\s+150\s+—", table)


def test_distributions_are_left_out_when_no_call_has_timings(screen):
    results = [batch_call("a", duration=None, **{"sentiment.customer.change": 0.1}), batch_call("b")]
    assert terminal._distribution_table(results) is None
    terminal.render(results, [], CTX)
    assert "Conversation metrics" not in screen.readouterr().out


def test_thresholds_are_the_shipped_rules_thresholds(scorer):
    shipped = {}
    for rule in scorer.detector.rules:  # the shipped rules
        if rule.kind == "metric" and rule.polarity == "deduction" and len(rule.metric) == 1:
            shipped[rule.metric[0].name] = (rule.metric[0].op, rule.metric[0].value, rule.id)
    for metric, (op, value, rule_id) in terminal.RULE_THRESHOLDS.items():
        assert shipped[metric] == (op, value, rule_id)
    for metric, _ in terminal.DISTRIBUTION_METRICS:
        if metric in shipped:
            assert metric in terminal.RULE_THRESHOLDS


# -- 80 columns, no colour -----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["billing_dispute_bad.json", "hold_transfer_good.vtt",
                                  "long_tech_support_good.json", "billing_dispute_good.txt"])
def test_call_view_fits_80_columns_without_colour_with_or_without_timings(screen, scorer, name):
    out = show(screen, sample(scorer, name))
    assert "\x1b[" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "Sentiment per turn" in out


def test_batch_view_with_distributions_fits_80_columns_without_colour(screen, scorer):
    results = [r for r in scorer.score_files([SAMPLES]) if isinstance(r, CallResult)]
    terminal.render(results, [], CTX)
    out = screen.readouterr().out
    assert "\x1b[" not in out and "Conversation metrics (" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    table = section(out, "Conversation metrics (")
    assert "response_latency.agent.median" in table  # not folded onto two lines
