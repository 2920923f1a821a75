"""Google Contact Center AI Insights loader (entries and Conversation resources)."""

import copy
import json
from pathlib import Path

import pytest

from poise.errors import LoadError
from poise.formats import LoadOptions, ccai, load_file

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"
ENTRIES = FIXTURES / "ccai_entries.json"
SEGMENTS = FIXTURES / "ccai_segments.json"


def read(path: Path) -> dict:
    return json.loads(path.read_text())


def write(tmp_path: Path, data, name: str = "conversation.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def segment(text: str, start: str | None = None, end: str | None = None, **more) -> dict:
    words = [{"startOffset": start, "endOffset": end, "word": text}] if start else []
    return {"text": text, "words": words, **more}


# -- (a) entries -----------------------------------------------------------------------------------

def test_ccai_entries_are_sniffed_without_input_format():
    [t] = load_file(ENTRIES)
    assert t.format == "ccai"
    assert t.source == str(ENTRIES)
    assert t.id == "ccai_entries"  # no conversation id in the upload format: the file stem


def test_ccai_entry_roles_map_to_agent_customer_and_other():
    [t] = load_file(ENTRIES)
    assert t.roles.method == "source"
    assert [(turn.speaker, turn.label) for turn in t.turns[:4]] == [
        ("other", "AUTOMATED_AGENT"), ("customer", "END_USER"),
        ("other", "AUTOMATED_AGENT"), ("agent", "HUMAN_AGENT")]


def test_ccai_entry_times_are_seconds_from_the_first_entry():
    [t] = load_file(ENTRIES)
    assert [turn.start for turn in t.turns[:5]] == [0.0, 9.4, 14.25, 41.8, 58.125]
    assert all(turn.end is None for turn in t.turns)


def test_ccai_blank_entries_are_dropped_and_user_ids_kept():
    [t] = load_file(ENTRIES)
    assert len(read(ENTRIES)["entries"]) == 9
    assert len(t.turns) == 8
    assert t.turns[1].extra == {"user_id": 1}
    assert t.metadata["conversation_info"]["categories"][0]["display_name"] == "Subscription cancellation"


def test_ccai_entries_accept_camel_case_and_string_timestamps(tmp_path):
    data = {"conversation_id": "conv-77", "entries": [
        {"startTimestampUsec": "1709651522000000", "text": "Hello, how can I help?", "role": "AGENT", "user_id": 2},
        {"startTimestampUsec": "1709651524500000", "text": "My card was declined.", "role": "CUSTOMER", "user_id": 1}]}
    [t] = load_file(write(tmp_path, data))
    assert t.id == "conv-77"
    assert [(turn.speaker, turn.start) for turn in t.turns] == [("agent", 0.0), ("customer", 2.5)]


def test_ccai_empty_entries_are_reported_as_having_no_turns(tmp_path):
    data = {"conversation_info": {}, "entries": []}
    with pytest.raises(LoadError, match="has no turns"):
        load_file(write(tmp_path, data))
    [t] = ccai.load_data(data, Path("x.json"), LoadOptions())
    assert t.turns == ()


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(entries={"text": "hi"}), "entries should be a list, not an object"),
    (lambda d: d["entries"].__setitem__(2, ["hi"]), r"entries\[2\] should be an object, not a list"),
    (lambda d: d["entries"][1].pop("text"), r"entries\[1\]\.text is missing"),
    (lambda d: d["entries"][3].update(role=2), r"entries\[3\]\.role should be text, not a number"),
    (lambda d: d["entries"][4].update(start_timestamp_usec="later"),
     r"entries\[4\]\.start_timestamp_usec should be a number of microseconds, not text"),
])
def test_ccai_malformed_entries_give_a_load_error_naming_the_field(tmp_path, mutate, message):
    data = copy.deepcopy(read(ENTRIES))
    mutate(data)
    with pytest.raises(LoadError, match=message):
        load_file(write(tmp_path, data))


# -- (b) Conversation resource ---------------------------------------------------------------------

def test_ccai_conversation_resource_is_sniffed_and_named_after_its_resource_id():
    [t] = load_file(SEGMENTS)
    assert t.format == "ccai"
    assert t.id == "6472915538201847210"


def test_ccai_segment_roles_come_from_the_segment_participant():
    [t] = load_file(SEGMENTS)
    assert t.roles.method == "source"
    assert [turn.speaker for turn in t.turns] == ["agent", "customer"] * 3 + ["agent"]
    assert t.turns[0].label == "HUMAN_AGENT"


def test_ccai_segment_times_come_from_first_and_last_word():
    [t] = load_file(SEGMENTS)
    assert (t.turns[0].start, t.turns[0].end) == (0.42, 4.31)
    assert (t.turns[3].start, t.turns[3].end) == (15.6, 19.24)
    assert t.turns[0].extra["words"][0] == [0.42, 0.679, "thank"]
    assert t.turns[0].extra["words"][-1][1:] == [4.31, "you"]


def test_ccai_resource_metadata_keeps_agent_and_call_details():
    [t] = load_file(SEGMENTS)
    assert t.metadata["agent"] == "agent-417"
    assert t.metadata["languageCode"] == "en-US"
    assert t.metadata["duration"] == "34.900s"
    assert t.metadata["callMetadata"] == {"customerChannel": 1, "agentChannel": 2}
    assert t.metadata["name"].endswith("/conversations/6472915538201847210")


def test_ccai_segments_without_roles_are_mapped_by_channel(tmp_path):
    data = {"name": "projects/p/locations/l/conversations/c9",
            "callMetadata": {"customerChannel": 1, "agentChannel": 2},
            "transcript": {"transcriptSegments": [
                segment("thanks for calling", "0.5s", "1.9s", channelTag=2),
                segment("hi there", "2.2s", "3s", channelTag=1),
                segment("how can I help", "3.1s", "4.25s", channelTag=2, segmentParticipant={})]}}
    [t] = load_file(write(tmp_path, data))
    assert t.roles.method == "source"
    assert [(turn.speaker, turn.label) for turn in t.turns] == [
        ("agent", "channel 2"), ("customer", "channel 1"), ("agent", "channel 2")]
    assert [(turn.start, turn.end) for turn in t.turns] == [(0.5, 1.9), (2.2, 3.0), (3.1, 4.25)]


def test_ccai_segments_with_no_role_at_all_leave_roles_to_the_heuristic(tmp_path):
    data = {"name": "projects/p/locations/l/conversations/c10", "transcript": {"transcriptSegments": [
        segment("thank you for calling Acme how can I help you", "0s", "3s", channelTag=0),
        segment("my bill is wrong", "3.5s", "5s", channelTag=0)]}}
    [t] = ccai.load_data(data, Path("c10.json"), LoadOptions())
    assert t.roles.method == "pending"
    [loaded] = load_file(write(tmp_path, data))
    assert loaded.roles.method != "source"  # decided (or not) by poise.roles, and reported


def test_ccai_some_unresolved_segments_are_other_with_a_warning(tmp_path):
    data = {"transcript": {"transcriptSegments": [
        segment("hello", "0s", "1s", segmentParticipant={"role": "HUMAN_AGENT"}),
        segment("beep", "1s", "2s", channelTag=5)]}}
    [t] = load_file(write(tmp_path, data, "mixed.json"))
    assert t.id == "mixed"
    assert [(turn.speaker, turn.label) for turn in t.turns] == [("agent", "HUMAN_AGENT"), ("other", "channel 5")]
    assert any("no participant role" in w for w in t.warnings)


def test_ccai_chat_segments_are_timed_from_message_time(tmp_path):
    data = {"name": "projects/p/locations/l/conversations/chat-1", "medium": "CHAT",
            "transcript": {"transcriptSegments": [
                {"text": "Hi, I need help", "messageTime": "2024-03-05T10:00:00Z",
                 "segmentParticipant": {"role": "END_USER"}},
                {"text": "Sure, what's up?", "messageTime": "2024-03-05T10:00:07.250Z",
                 "segmentParticipant": {"role": "HUMAN_AGENT"}}]}}
    [t] = load_file(write(tmp_path, data))
    assert [(turn.speaker, turn.start, turn.end) for turn in t.turns] == [
        ("customer", 0.0, None), ("agent", 7.25, None)]


def test_ccai_word_offsets_may_be_protobuf_duration_objects(tmp_path):
    data = {"transcript": {"transcriptSegments": [{
        "text": "hello", "segmentParticipant": {"role": "HUMAN_AGENT"},
        "words": [{"startOffset": {"seconds": "1", "nanos": 500000000},
                   "endOffset": {"seconds": 2}, "word": "hello"}]}]}}
    [t] = load_file(write(tmp_path, data))
    assert (t.turns[0].start, t.turns[0].end) == (1.5, 2.0)


def _seg(d: dict, index: int) -> dict:
    return d["transcript"]["transcriptSegments"][index]


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["transcript"].update(transcriptSegments={}),
     "transcript.transcriptSegments should be a list, not an object"),
    (lambda d: _seg(d, 2).pop("text"), r"transcript\.transcriptSegments\[2\]\.text is missing"),
    (lambda d: _seg(d, 1).update(segmentParticipant="END_USER"),
     r"transcript\.transcriptSegments\[1\]\.segmentParticipant should be an object, not text"),
    (lambda d: _seg(d, 0).update(words="thank you"),
     r"transcript\.transcriptSegments\[0\]\.words should be a list, not text"),
    (lambda d: _seg(d, 0)["words"][1].update(startOffset="soon"),
     r"transcript\.transcriptSegments\[0\]\.words\[1\]\.startOffset is not a duration: 'soon'"),
    (lambda d: _seg(d, 3).update(segmentParticipant={}, channelTag="1"),
     r"transcript\.transcriptSegments\[3\]\.channelTag should be a whole number, not text"),
    (lambda d: d.update(agentId=417), "agentId should be text, not a number"),
    (lambda d: d.update(callMetadata=[1, 2]), "callMetadata should be an object, not a list"),
])
def test_ccai_malformed_resource_gives_a_load_error_naming_the_field(tmp_path, mutate, message):
    data = copy.deepcopy(read(SEGMENTS))
    mutate(data)
    with pytest.raises(LoadError, match=message):
        load_file(write(tmp_path, data))


def test_ccai_matches_only_its_shapes():
    assert ccai.matches(read(ENTRIES)) and ccai.matches(read(SEGMENTS))
    assert not ccai.matches({"id": "x", "turns": [], "entries": [{"role": "AGENT"}]})
    assert not ccai.matches({"entries": [1, 2, 3]})
    assert not ccai.matches({"transcript": "hello"})
