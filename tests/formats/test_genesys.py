"""Genesys Cloud speech-analytics transcript loader."""

import copy
import json
from pathlib import Path

import pytest

from poise.errors import LoadError
from poise.formats import LoadOptions, genesys, load_file

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"
SAMPLE = FIXTURES / "genesys.json"
T0 = 1709647331000  # epoch ms of the fixture's first phrase


def sample() -> dict:
    return json.loads(SAMPLE.read_text())


def write(tmp_path: Path, data, name: str = "conversation.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def phrase(purpose: str, text: str, start: int, duration: int = 1000, **more) -> dict:
    return {"text": text, "participantPurpose": purpose, "startTimeMs": start,
            "duration": {"milliseconds": duration}, **more}


def test_genesys_sample_is_sniffed_without_input_format():
    [t] = load_file(SAMPLE)
    assert t.format == "genesys"
    assert t.source == str(SAMPLE)
    assert t.id == "b3e81f52-7c0d-4a9e-9f16-2d4c8e6a1f07"


def test_genesys_participant_purposes_map_to_roles():
    [t] = load_file(SAMPLE)
    assert t.roles.method == "source"
    assert [(turn.speaker, turn.label) for turn in t.turns[:3]] == [
        ("other", "ivr"), ("agent", "internal"), ("customer", "external")]
    assert [turn.speaker for turn in t.turns[1:]] == ["agent", "customer"] * 3 + ["agent"]


def test_genesys_keeps_one_turn_per_phrase_and_drops_empty_ones():
    [t] = load_file(SAMPLE)
    assert len(sample()["transcripts"][0]["phrases"]) == 9
    assert len(t.turns) == 8


def test_genesys_prefers_decorated_text():
    [t] = load_file(SAMPLE)
    assert t.turns[1].text == "Hi, this is Marcus in claims, how can I help?"


def test_genesys_falls_back_to_raw_text_without_decorated_text(tmp_path):
    data = sample()
    for p in data["transcripts"][0]["phrases"]:
        p.pop("decoratedText")
    [t] = load_file(write(tmp_path, data))
    assert t.turns[1].text == "hi this is marcus in claims how can i help"


def test_genesys_epoch_times_become_seconds_from_the_first_phrase():
    [t] = load_file(SAMPLE)
    assert (t.turns[0].start, t.turns[0].end) == (0.0, 4.2)
    assert (t.turns[1].start, t.turns[1].end) == (6.85, 10.25)
    assert (t.turns[-1].start, t.turns[-1].end) == (32.25, 36.35)


def test_genesys_word_timings_are_relative_too():
    [t] = load_file(SAMPLE)
    words = t.turns[1].extra["words"]
    assert words[0] == [6.85, 7.19, "hi"]
    assert [w[2] for w in words][:4] == ["hi", "this", "is", "marcus"]
    assert t.turns[1].extra["confidence"] == sample()["transcripts"][0]["phrases"][1]["confidence"]


def test_genesys_metadata_keeps_ids_media_type_and_language():
    [t] = load_file(SAMPLE)
    assert t.metadata["conversationId"] == "b3e81f52-7c0d-4a9e-9f16-2d4c8e6a1f07"
    assert t.metadata["communicationId"] == "0c7d2e91-5a3b-4f8c-b1e6-9a2f4d6c8e10"
    assert t.metadata["mediaType"] == "call"
    assert t.metadata["language"] == "en-us"


def test_genesys_id_falls_back_to_the_file_stem(tmp_path):
    data = {"mediaType": "call", "transcripts": [{"phrases": [phrase("internal", "Hello.", T0)]}]}
    [t] = load_file(write(tmp_path, data, "recording-17.json"))
    assert t.id == "recording-17"


def test_genesys_several_transcripts_are_merged_in_time_order(tmp_path):
    data = {"conversationId": "c-2", "transcripts": [
        {"phrases": [phrase("internal", "Transferring you now.", T0),
                     phrase("internal", "Hi, billing here.", T0 + 9000)]},
        {"phrases": [phrase("external", "Okay, thanks.", T0 + 2500, 800)]}]}
    [t] = load_file(write(tmp_path, data))
    assert [(turn.text, turn.start, turn.end) for turn in t.turns] == [
        ("Transferring you now.", 0.0, 1.0), ("Okay, thanks.", 2.5, 3.3),
        ("Hi, billing here.", 9.0, 10.0)]


def test_genesys_phrase_without_timing_has_no_times(tmp_path):
    data = {"conversationId": "c-3", "transcripts": [{"phrases": [
        {"text": "Hello.", "participantPurpose": "internal"}]}]}
    [t] = load_file(write(tmp_path, data))
    assert (t.turns[0].start, t.turns[0].end) == (None, None)


def test_genesys_empty_phrases_are_reported_as_having_no_turns(tmp_path):
    data = {"conversationId": "c-4", "transcripts": [{"phrases": []}]}
    with pytest.raises(LoadError, match="has no turns"):
        load_file(write(tmp_path, data))
    [t] = genesys.load_data(data, Path("x.json"), LoadOptions())
    assert t.turns == ()


def _phrase(d: dict, index: int) -> dict:
    return d["transcripts"][0]["phrases"][index]


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(transcripts={"phrases": []}), "transcripts should be a list, not an object"),
    (lambda d: d["transcripts"].append(7), r"transcripts\[1\] should be an object, not a number"),
    (lambda d: d["transcripts"][0].pop("phrases"), r"transcripts\[0\]\.phrases is missing"),
    (lambda d: _phrase(d, 3).pop("text"), r"transcripts\[0\]\.phrases\[3\]\.text is missing"),
    (lambda d: _phrase(d, 2).update(text=["hi"]), r"transcripts\[0\]\.phrases\[2\]\.text should be text, not a list"),
    (lambda d: _phrase(d, 1).pop("participantPurpose"),
     r"transcripts\[0\]\.phrases\[1\]\.participantPurpose is missing"),
    (lambda d: _phrase(d, 4).update(startTimeMs="soon"),
     r"transcripts\[0\]\.phrases\[4\]\.startTimeMs should be a number of milliseconds, not text"),
    (lambda d: _phrase(d, 5).update(duration=5720),
     r"transcripts\[0\]\.phrases\[5\]\.duration should be an object, not a number"),
    (lambda d: _phrase(d, 1)["words"][0].pop("word"),
     r"transcripts\[0\]\.phrases\[1\]\.words\[0\]\.word is missing"),
])
def test_genesys_malformed_fields_give_a_load_error_naming_the_field(tmp_path, mutate, message):
    data = copy.deepcopy(sample())
    mutate(data)
    with pytest.raises(LoadError, match=message):
        load_file(write(tmp_path, data))


def test_genesys_matches_only_genesys_shapes():
    assert genesys.matches(sample())
    assert genesys.matches({"transcripts": [{"phrases": []}]})
    assert not genesys.matches({"turns": [], "transcripts": "x"})
    assert not genesys.matches({"Transcript": []})
