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
])
def test_well_handled_call_ranks_above_badly_handled(scores, better, worse):
    assert scores[better] > scores[worse]


def test_the_bad_calls_land_in_the_lowest_band(scores):
    from poise.scoring import load_scorecard
    from poise.api import default_scorecard_path
    card = load_scorecard(default_scorecard_path())
    assert card.band(scores["BLF-20241121-1609"]) == "Unacceptable"
    assert card.band(scores["BLF-20241121-1733"]) in ("Good", "Excellent")
