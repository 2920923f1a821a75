"""Amazon Transcribe Call Analytics loader."""

import copy
import json
from pathlib import Path

import pytest

from poise.errors import LoadError
from poise.formats import LoadOptions, aws_transcribe, contact_lens, load_file

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"
SAMPLE = FIXTURES / "aws_transcribe_call.json"
REAL = (Path(__file__).resolve().parents[2].parent / "shared" / "ref"
        / "transcribe-call-analytics" / "example-call.json")


def sample() -> dict:
    return json.loads(SAMPLE.read_text())


def write(tmp_path: Path, data, name: str = "call.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def segment(role: str, text: str, begin: int = 0, end: int = 1000, **more) -> dict:
    return {"ParticipantRole": role, "Content": text, "BeginOffsetMillis": begin,
            "EndOffsetMillis": end, **more}


def real_example() -> Path:
    if not REAL.exists():
        pytest.skip(f"{REAL} not available (../shared is absent)")
    return REAL


# -- the fixture ---------------------------------------------------------------------------------

def test_aws_sample_is_sniffed_without_input_format():
    [t] = load_file(SAMPLE)
    assert t.format == "aws-transcribe"
    assert t.source == str(SAMPLE)


def test_aws_sample_takes_roles_from_the_source():
    [t] = load_file(SAMPLE)
    assert t.roles.method == "source"
    assert [turn.speaker for turn in t.turns] == ["agent", "customer"] * 5
    assert {turn.label for turn in t.turns} == {"AGENT", "CUSTOMER"}


def test_aws_sample_text_and_timings_in_seconds():
    [t] = load_file(SAMPLE)
    first, last = t.turns[0], t.turns[-1]
    assert first.text == "Thank you for calling Harbor Mobile, this is Priya, how can I help you today?"
    assert (first.start, first.end) == (0.31, 4.96)
    assert (last.start, last.end) == (53.7, 55.24)
    assert t.duration == 55.24


def test_aws_sample_keeps_per_turn_sentiment():
    [t] = load_file(SAMPLE)
    assert [turn.extra["sentiment"] for turn in t.turns[:3]] == ["POSITIVE", "NEGATIVE", "NEUTRAL"]


def test_aws_sample_keeps_pronunciation_word_timings_only():
    [t] = load_file(SAMPLE)
    words = t.turns[0].extra["words"]
    assert words[0] == [0.31, 0.62, "Thank"]
    assert words[-1] == [4.65, 4.96, "today"]
    assert [w[2] for w in words].count(",") == 0  # punctuation items are left out
    redacted = t.turns[3].extra["words"]
    assert [w[2] for w in redacted] == ["Sure", "it's", "[PII]", "[PII]"]


def test_aws_sample_metadata_keeps_call_analytics_results():
    [t] = load_file(SAMPLE)
    assert t.id == "harbor-mobile-billing-0412"
    assert t.metadata["JobName"] == "harbor-mobile-billing-0412"
    assert t.metadata["Channel"] == "VOICE"
    assert t.metadata["Categories"]["MatchedCategories"] == ["Billing_Dispute"]
    chars = t.metadata["ConversationCharacteristics"]
    assert chars["TotalConversationDurationMillis"] == 55240
    assert chars["Sentiment"]["OverallSentiment"] == {"AGENT": 2.7, "CUSTOMER": -0.4}


def test_aws_forced_input_format_loads_the_same(tmp_path):
    [t] = load_file(SAMPLE, LoadOptions(input_format="aws-transcribe"))
    assert t.format == "aws-transcribe" and len(t.turns) == 10


# -- behaviour on small documents ----------------------------------------------------------------

def test_aws_id_falls_back_to_the_file_stem(tmp_path):
    data = {"JobStatus": "COMPLETED", "Transcript": [segment("AGENT", "Hello there.")]}
    [t] = load_file(write(tmp_path, data, "call-0042.json"))
    assert t.id == "call-0042"


def test_aws_turns_with_empty_content_are_dropped(tmp_path):
    data = {"JobName": "j", "Transcript": [segment("AGENT", "Hello."), segment("CUSTOMER", "  "),
                                          segment("CUSTOMER", "Hi.")]}
    [t] = load_file(write(tmp_path, data))
    assert [turn.text for turn in t.turns] == ["Hello.", "Hi."]


def test_aws_unknown_participant_role_is_other_with_its_label(tmp_path):
    data = {"JobName": "j", "Transcript": [segment("AGENT", "Hello."),
                                          segment("SUPERVISOR", "Listening in.")]}
    [t] = load_file(write(tmp_path, data))
    assert (t.turns[1].speaker, t.turns[1].label) == ("other", "SUPERVISOR")


def test_aws_segment_without_offsets_or_items_has_no_timings(tmp_path):
    data = {"JobName": "j", "Transcript": [{"ParticipantRole": "AGENT", "Content": "Hello."}]}
    [t] = load_file(write(tmp_path, data))
    assert (t.turns[0].start, t.turns[0].end) == (None, None)
    assert "words" not in t.turns[0].extra and "sentiment" not in t.turns[0].extra


def test_aws_empty_transcript_is_reported_as_having_no_turns(tmp_path):
    with pytest.raises(LoadError, match="has no turns"):
        load_file(write(tmp_path, {"JobName": "empty-job", "Transcript": []}))


def test_aws_load_data_returns_a_transcript_with_zero_turns_for_an_empty_list():
    [t] = aws_transcribe.load_data({"JobName": "j", "Transcript": []}, Path("x.json"), LoadOptions())
    assert t.turns == ()


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(Transcript={"Content": "hi"}), "Transcript should be a list of segments, not an object"),
    (lambda d: d["Transcript"].__setitem__(2, "hello"), r"Transcript\[2\] should be an object, not text"),
    (lambda d: d["Transcript"][3].pop("Content"), r"Transcript\[3\]\.Content is missing"),
    (lambda d: d["Transcript"][1].update(Content=42), r"Transcript\[1\]\.Content should be text, not a number"),
    (lambda d: d["Transcript"][0].pop("ParticipantRole"), r"Transcript\[0\]\.ParticipantRole is missing"),
    (lambda d: d["Transcript"][4].update(BeginOffsetMillis="22100"),
     r"Transcript\[4\]\.BeginOffsetMillis should be a number of milliseconds, not text"),
    (lambda d: d["Transcript"][0].update(Items={}), r"Transcript\[0\]\.Items should be a list, not an object"),
    (lambda d: d["Transcript"][0]["Items"][2].update(EndOffsetMillis=None, BeginOffsetMillis=[1]),
     r"Transcript\[0\]\.Items\[2\]\.BeginOffsetMillis should be a number"),
    (lambda d: d["Transcript"][5].update(Sentiment=3), r"Transcript\[5\]\.Sentiment should be text"),
])
def test_aws_malformed_fields_give_a_load_error_naming_the_field(tmp_path, mutate, message):
    data = sample()
    mutate(data)
    with pytest.raises(LoadError, match=message):
        load_file(write(tmp_path, data))


def test_aws_plain_transcribe_output_is_not_claimed():
    plain = {"jobName": "j", "results": {"transcripts": [{"transcript": "hello"}], "items": []}}
    assert not aws_transcribe.matches(plain)


def test_aws_and_contact_lens_never_both_match():
    call_analytics = sample()
    lens = copy.deepcopy(call_analytics)
    lens["CustomerMetadata"] = {"ContactId": "c-1"}
    assert aws_transcribe.matches(call_analytics) and not contact_lens.matches(call_analytics)
    assert contact_lens.matches(lens) and not aws_transcribe.matches(lens)


# -- the real AWS sample (../shared) ---------------------------------------------------------------

def test_aws_real_example_call_loads_37_turns_agent_first():
    [t] = load_file(real_example())
    assert t.format == "aws-transcribe"
    assert len(t.turns) == 37
    assert t.turns[0].speaker == "agent" and t.turns[1].speaker == "customer"
    assert t.id == "example-call.wav"


def test_aws_real_example_call_keeps_conversation_characteristics():
    [t] = load_file(real_example())
    chars = t.metadata["ConversationCharacteristics"]
    assert chars["TotalConversationDurationMillis"] == 182890
    assert chars["Interruptions"]["TotalCount"] == 2
    assert t.metadata["Categories"]["MatchedCategories"] == ["No_Closing_Remark"]


def test_aws_real_example_call_first_turn_timings_sentiment_and_words():
    [t] = load_file(real_example())
    first = t.turns[0]
    assert (first.start, first.end) == (0.04, 5.05)
    assert first.extra["sentiment"] == "POSITIVE"
    assert first.extra["words"][0] == [0.04, 0.33, "Thank"]
    assert first.extra["words"][-1] == [4.61, 5.05, "you"]
    assert len(first.extra["words"]) == 19
