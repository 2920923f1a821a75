"""The default scorecard ranks well-handled sample calls above badly handled ones."""

import pytest

from conftest import SAMPLES
from poise.api import Scorer


@pytest.fixture(scope="module")
def scores():
    results = [r for r in Scorer().score_files([SAMPLES]) if hasattr(r, "score")]
    return {r.id: r.score for r in results}


@pytest.mark.parametrize("better,worse", [
    ("BLF-20241121-1733", "BLF-20241121-1609"),          # the same angry customer, handled well / badly
    ("BLF-20241118-0412", "brightline-billing-20241119-093114-mbell.wav"),  # billing dispute good / bad
    ("shipping_damage_good", "appointment_negative_language"),  # options offered / "we can't" without them
    ("HCU-20241122-1120", "MMI-20241122-0938"),          # empathy and next steps / none of them
    ("CH-20241120-0815", "CH-20241120-1042"),            # a question answered well / a refund mishandled
])
def test_well_handled_call_ranks_above_badly_handled(scores, better, worse):
    assert scores[better] > scores[worse]


def test_the_bad_calls_land_in_the_lowest_band(scores):
    from poise.scoring import load_scorecard
    from poise.api import default_scorecard_path
    card = load_scorecard(default_scorecard_path())
    assert card.band(scores["BLF-20241121-1609"]) == "Unacceptable"
    assert card.band(scores["BLF-20241121-1733"]) in ("Good", "Excellent")


@pytest.fixture(scope="module")
def short_calls():
    return {r.id: r for r in Scorer().score_files([SAMPLES / "short_calls.jsonl"])}


def lines(result, section):
    [s] = [s for s in result.sections if s["name"] == section]
    return {line["item"]: line["status"] for line in s["lines"]}


def test_a_question_answered_at_once_is_not_marked_down_for_having_nothing_to_own(short_calls):
    """The store-hours call raised no problem and no request: ownership, next steps and
    confirming are N/A (not NOT_PRESENT), and the well-handled call is Excellent."""
    call = short_calls["CH-20241120-0815"]
    assert not [f for f in call.findings if f["category"] == "customer-issue"]
    assert set(lines(call, "Resolution & ownership").values()) == {"N/A"}
    assert set(lines(call, "Listening").values()) == {"N/A"}
    assert call.score >= 90


def test_a_raised_problem_keeps_the_questions_that_were_missed(short_calls):
    """The lockout call: the customer's problem is found, so the missing next steps still cost."""
    call = short_calls["BLF-20241120-1307"]
    assert any(f["rule"] == "customer-issue.problem" for f in call.findings)
    assert lines(call, "Resolution & ownership")["Explained what happens next and when"] == "NOT_PRESENT"
