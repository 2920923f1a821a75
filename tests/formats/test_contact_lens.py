"""Amazon Connect Contact Lens loader (voice and chat)."""

import json
from pathlib import Path

import pytest

from poise.errors import LoadError
from poise.formats import LoadOptions, aws_transcribe, contact_lens, load_file

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"
VOICE = FIXTURES / "contact_lens_voice.json"
CHAT = FIXTURES / "contact_lens_chat.json"
REAL_AWS = (Path(__file__).resolve().parents[2].parent / "shared" / "ref"
            / "transcribe-call-analytics" / "example-call.json")


def read(path: Path) -> dict:
    return json.loads(path.read_text())


def write(tmp_path: Path, data, name: str = "contact.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


# -- voice -----------------------------------------------------------------------------------------

def test_contact_lens_voice_is_sniffed_without_input_format():
    [t] = load_file(VOICE)
    assert t.format == "contact-lens"
    assert t.source == str(VOICE)


def test_contact_lens_voice_id_is_the_contact_id():
    [t] = load_file(VOICE)
    assert t.id == "7c1f1a52-5d77-4c1e-9e1b-2f0c8d7b0a11"


def test_contact_lens_voice_resolves_missing_roles_through_participants():
    data = read(VOICE)
    assert "ParticipantRole" not in data["Transcript"][3]  # the fixture has such segments
    [t] = load_file(VOICE)
    assert t.roles.method == "source"
    assert [turn.speaker for turn in t.turns] == ["agent", "customer"] * 4
    assert t.turns[3].label == "CUSTOMER"


def test_contact_lens_voice_text_timings_and_sentiment():
    [t] = load_file(VOICE)
    first = t.turns[0]
    assert first.text.startswith("Thanks for calling Lakeside Broadband")
    assert (first.start, first.end) == (0.38, 4.12)
    assert (t.turns[4].start, t.turns[4].end) == (24.11, 31.58)
    assert [turn.extra["sentiment"] for turn in t.turns[:2]] == ["NEUTRAL", "NEGATIVE"]


def test_contact_lens_voice_metadata_keeps_analysis_results():
    [t] = load_file(VOICE)
    assert t.metadata["Channel"] == "VOICE"
    assert t.metadata["Version"] == "1.1.0"
    assert t.metadata["CustomerMetadata"]["InstanceId"] == "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
    assert t.metadata["ConversationCharacteristics"]["NonTalkTime"]["TotalTimeMillis"] == 8090
    assert t.metadata["Categories"]["MatchedCategories"] == ["Technician_Visit"]


# -- chat ------------------------------------------------------------------------------------------

def test_contact_lens_chat_is_sniffed_and_skips_join_and_leave_events():
    [t] = load_file(CHAT)
    assert t.format == "contact-lens" and t.metadata["Channel"] == "CHAT"
    assert len(read(CHAT)["Transcript"]) == 10
    assert len(t.turns) == 7
    assert t.id == "3e9a6c4b-0f12-4b7e-8d55-6a1f2c9e7b30"


def test_contact_lens_chat_system_messages_are_other():
    [t] = load_file(CHAT)
    assert (t.turns[0].speaker, t.turns[0].label) == ("other", "SYSTEM")
    assert [turn.speaker for turn in t.turns[1:]] == ["customer", "agent"] * 3


def test_contact_lens_chat_times_are_seconds_from_the_first_item():
    [t] = load_file(CHAT)
    assert [turn.start for turn in t.turns[:3]] == [0.575, 13.787, 57.684]
    assert all(turn.end is None for turn in t.turns)
    assert t.turns[1].extra["absolute_time"] == "2024-03-05T14:02:25.114Z"
    assert t.turns[1].extra["sentiment"] == "NEGATIVE"


def test_contact_lens_chat_skips_non_text_content(tmp_path):
    data = read(CHAT)
    data["Transcript"][5].update(ContentType="application/vnd.amazonaws.connect.message.interactive",
                                 Content='{"templateType": "ListPicker"}')
    [t] = load_file(write(tmp_path, data))
    assert len(t.turns) == 6
    assert not any("ListPicker" in turn.text for turn in t.turns)


# -- small documents -------------------------------------------------------------------------------

def test_contact_lens_old_outputs_use_the_role_as_participant_id(tmp_path):
    data = {"Version": "1.0.0", "Transcript": [
        {"ParticipantId": "AGENT", "Content": "Hello.", "BeginOffsetMillis": 0, "EndOffsetMillis": 900},
        {"ParticipantId": "CUSTOMER", "Content": "Hi.", "BeginOffsetMillis": 1000, "EndOffsetMillis": 1500}]}
    [t] = load_file(write(tmp_path, data, "old-output.json"))
    assert [turn.speaker for turn in t.turns] == ["agent", "customer"]
    assert t.id == "old-output"


def test_contact_lens_unknown_participant_id_is_a_load_error(tmp_path):
    data = read(VOICE)
    data["Transcript"][3]["ParticipantId"] = "nobody"
    with pytest.raises(LoadError, match=r"Transcript\[3\] has no ParticipantRole, and its "
                                        r"ParticipantId 'nobody' is not listed in Participants"):
        load_file(write(tmp_path, data))


def test_contact_lens_empty_transcript_is_reported_as_having_no_turns(tmp_path):
    data = read(VOICE)
    data["Transcript"] = []
    with pytest.raises(LoadError, match="has no turns"):
        load_file(write(tmp_path, data))
    [t] = contact_lens.load_data(data, Path("x.json"), LoadOptions())
    assert t.turns == ()


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(Transcript="hello"), "Transcript should be a list of segments, not text"),
    (lambda d: d.update(Participants={"a": "AGENT"}), "Participants should be a list, not an object"),
    (lambda d: d["Participants"].__setitem__(0, "AGENT"), r"Participants\[0\] should be an object"),
    (lambda d: d.update(CustomerMetadata="c-1"), "CustomerMetadata should be an object, not text"),
    (lambda d: d["Transcript"][2].pop("Content"), r"Transcript\[2\]\.Content is missing"),
    (lambda d: d["Transcript"][6].update(EndOffsetMillis=True),
     r"Transcript\[6\]\.EndOffsetMillis should be a number of milliseconds, not true/false"),
    (lambda d: d["Transcript"][0].update(ParticipantRole=None, ParticipantId=None),
     r"Transcript\[0\] has neither ParticipantRole nor ParticipantId"),
])
def test_contact_lens_voice_malformed_fields_give_a_load_error(tmp_path, mutate, message):
    data = read(VOICE)
    mutate(data)
    with pytest.raises(LoadError, match=message):
        load_file(write(tmp_path, data))


def test_contact_lens_chat_bad_absolute_time_is_a_load_error(tmp_path):
    data = read(CHAT)
    data["Transcript"][4]["AbsoluteTime"] = "yesterday at noon"
    with pytest.raises(LoadError, match=r"Transcript\[4\]\.AbsoluteTime is not an ISO 8601 date-time"):
        load_file(write(tmp_path, data))


# -- telling Contact Lens and Call Analytics apart --------------------------------------------------

def _documents() -> list[tuple[str, dict]]:
    names = ("aws_transcribe_call", "contact_lens_voice", "contact_lens_chat", "genesys",
             "ccai_entries", "ccai_segments")
    docs = [(name, read(FIXTURES / f"{name}.json")) for name in names]
    if REAL_AWS.exists():
        docs.append(("example-call.json", read(REAL_AWS)))
    docs += [
        ("lens-minimal", {"Version": "1.1.0", "Transcript": []}),
        ("lens-ids-only", {"Transcript": [{"ParticipantId": "x", "Content": "hi"}]}),
        ("analytics-minimal", {"JobName": "j", "Transcript": []}),
        ("plain-transcribe", {"results": {"transcripts": [{"transcript": "hi"}]}}),
    ]
    return docs


@pytest.mark.parametrize("name, data", _documents(), ids=lambda v: v if isinstance(v, str) else "")
def test_contact_lens_and_aws_transcribe_matches_are_mutually_exclusive(name, data):
    assert not (aws_transcribe.matches(data) and contact_lens.matches(data))


def test_contact_lens_claims_its_own_files_and_not_call_analytics():
    assert contact_lens.matches(read(VOICE)) and contact_lens.matches(read(CHAT))
    call_analytics = read(FIXTURES / "aws_transcribe_call.json")
    assert not contact_lens.matches(call_analytics)
    assert aws_transcribe.matches(call_analytics)
