"""SubRip loader: numbered cues, 'Name:' labels, unlabelled cues continue the previous speaker."""

from pathlib import Path

import pytest

from poise.errors import LoadError
from poise.formats import LoadOptions, load_text, srt
from poise.formats import load_file as _load_file


def load_file(path, options=None):
    """These tests pin cue-level loading; merging of cues is tested on its own."""
    return _load_file(path, options or LoadOptions(merge_segments=False))

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"


def load_one(text: str, name: str = "call.srt", **options):
    [transcript] = load_text(text, Path(name), LoadOptions(**{"merge_segments": False, **options}))
    return transcript


def test_srt_file_is_sniffed_without_input_format():
    [t] = load_file(FIXTURES / "srt_agent_customer.srt")
    assert t.format == "srt"
    assert t.id == "srt_agent_customer"


def test_srt_content_is_sniffed_despite_a_txt_extension():
    [t] = load_file(FIXTURES / "srt_content_only.txt")
    assert t.format == "srt"
    assert [(x.label, x.speaker) for x in t.turns] == [
        ("Rep", "agent"), ("Caller", "customer"), ("Rep", "agent")]
    assert [(x.start, x.end) for x in t.turns] == [(0.0, 2.5), (3.0, 6.0), (6.5, 9.9)]


def test_srt_labels_text_and_exact_times():
    [t] = load_file(FIXTURES / "srt_agent_customer.srt")
    assert [x.label for x in t.turns] == [
        "Agent", "Customer", "Agent", "Agent", "Customer", "Agent", "Customer"]
    assert [(x.start, x.end) for x in t.turns] == [
        (0.5, 4.2), (4.8, 9.0), (9.4, 12.75), (13.0, 16.1), (16.6, 19.3), (19.8, 62.04),
        (62.5, 64.0)]


def test_consecutive_cues_of_one_speaker_merge_into_one_turn():
    [t] = _load_file(FIXTURES / "srt_agent_customer.srt")
    assert [(x.start, x.end) for x in t.turns] == [
        (0.5, 4.2), (4.8, 9.0), (9.4, 16.1), (16.6, 19.3), (19.8, 62.04), (62.5, 64.0)]
    assert t.turns[2].text == ("I'm sorry about that. Let me check your account. "
                               "I can see three roaming charges from last weekend.")
    assert t.turns[2].extra["segments"] == 2


def test_srt_labels_resolved_to_roles_by_alias():
    [t] = load_file(FIXTURES / "srt_agent_customer.srt")
    assert t.roles.method == "alias" and t.roles.agent_label == "Agent"
    assert [x.speaker for x in t.turns] == [
        "agent", "customer", "agent", "agent", "customer", "agent", "customer"]


def test_srt_multiline_cue_text_joins_with_spaces():
    [t] = load_file(FIXTURES / "srt_agent_customer.srt")
    assert t.turns[0].text == "Thank you for calling Bright Mobile, my name is Priya."
    assert t.turns[1].text == "Hi, I was charged for roaming but I haven't left the country."


def test_srt_cue_without_label_continues_the_previous_speaker():
    [t] = load_file(FIXTURES / "srt_agent_customer.srt")
    fourth = t.turns[3]
    assert (fourth.label, fourth.speaker) == ("Agent", "agent")
    assert fourth.text == "I can see three roaming charges from last weekend."  # <i> removed
    assert (fourth.start, fourth.end) == (13.0, 16.1)  # its own cue, not merged


def test_srt_first_cue_without_label_is_unknown():
    t = load_one("1\n00:00:01,000 --> 00:00:02,000\nHello?\n\n"
                 "2\n00:00:02,500 --> 00:00:04,000\nAgent: Thanks for calling, how can I help?\n")
    assert [x.label for x in t.turns] == ["Unknown", "Agent"]


def test_srt_named_speakers_get_roles_by_heuristic():
    [t] = load_file(FIXTURES / "srt_names.srt")
    assert t.roles.method == "heuristic" and t.roles.agent_label == "Dana"
    assert {x.label: x.speaker for x in t.turns} == {"Dana": "agent", "Mr Lee": "customer"}
    assert t.turns[3].text == "It's 55-2019."


def test_srt_turn_lines_point_at_the_cue_text():
    [t] = load_file(FIXTURES / "srt_agent_customer.srt")
    assert [x.line for x in t.turns] == [3, 8, 13, 17, 21, 25, 29]


def test_srt_two_labelled_lines_in_one_cue_give_two_turns():
    t = load_one("1\n00:00:01,000 --> 00:00:04,000\nAgent: Anything else?\nCustomer: No, thanks.\n")
    assert [(x.label, x.text, x.start, x.end) for x in t.turns] == [
        ("Agent", "Anything else?", 1.0, 4.0), ("Customer", "No, thanks.", 1.0, 4.0)]


def test_srt_formatting_tags_are_removed():
    t = load_one('1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<font color="#ffffff">Agent: '
                 '<b>Hello</b> there.</font>\n')
    assert (t.turns[0].label, t.turns[0].text) == ("Agent", "Hello there.")


def test_srt_crlf_dot_milliseconds_missing_numbers_and_hours_over_99():
    t = load_one("1\r\n00:00:01.5 --> 00:00:02.250\r\nAgent: Hi.\r\n\r\n"
                 "100:00:03,000 --> 100:00:04,000\r\nCustomer: Hello.\r\n\r\n\r\n")
    assert [(x.label, x.start, x.end) for x in t.turns] == [
        ("Agent", 1.5, 2.25), ("Customer", 360003.0, 360004.0)]


def test_srt_cues_without_text_are_skipped():
    t = load_one("1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\nAgent: Hi.\n")
    assert [x.text for x in t.turns] == ["Hi."]


def test_srt_times_and_colons_in_text_are_not_labels():
    t = load_one("1\n00:00:01,000 --> 00:00:03,000\nAgent: Can you come at 10:30 tomorrow?\n\n"
                 "2\n00:00:03,000 --> 00:00:05,000\nSee https://example.com/help for details.\n")
    assert [(x.label, x.text) for x in t.turns] == [
        ("Agent", "Can you come at 10:30 tomorrow?"),
        ("Agent", "See https://example.com/help for details.")]


def test_srt_sniff_needs_a_number_then_a_timing_line():
    assert srt.sniff(Path("x.txt"), "\n1\n00:00:01,000 --> 00:00:02,000\nHi\n")
    assert srt.sniff(Path("x.srt"), "anything")
    assert not srt.sniff(Path("x.txt"), "Agent: 1\nCustomer: 00:00:01,000 --> 00:00:02,000\n")
    assert not srt.sniff(Path("x.txt"), "1\nAgent: hello\n")


def test_srt_malformed_timing_names_the_cue_and_line():
    with pytest.raises(LoadError, match=r"^cue 2 \(line 6\): malformed cue timing "
                                        r"'00:00:04.8 --> 00:00:09'; expected "
                                        r"HH:MM:SS,mmm --> HH:MM:SS,mmm$"):
        load_file(FIXTURES / "srt_bad_timing.srt")


def test_srt_timing_out_of_range_is_a_load_error():
    with pytest.raises(LoadError, match=r"^cue 1 \(line 2\): malformed cue timing"):
        load_one("1\n00:61:00,000 --> 00:62:00,000\nAgent: Hi\n")


def test_srt_cue_number_without_timing_is_a_load_error():
    with pytest.raises(LoadError, match=r"^cue 2 \(line 5\): no timing line after the cue number"):
        load_one("1\n00:00:01,000 --> 00:00:02,000\nAgent: Hi\n\n2\n")


def test_srt_text_where_a_cue_should_start_is_a_load_error():
    with pytest.raises(LoadError, match=r"^line 5: expected a cue number and a timing line .*"
                                        r"found 'and then some more'"):
        load_one("1\n00:00:01,000 --> 00:00:02,000\nAgent: Hi\n\nand then some more\n",
                 input_format="srt")


def test_srt_cue_ending_before_it_starts_is_a_load_error():
    with pytest.raises(LoadError, match=r"^cue 1 \(line 2\): cue ends before it starts"):
        load_one("1\n00:00:05,000 --> 00:00:01,000\nAgent: Hi\n")


def test_srt_without_text_is_a_load_error():
    with pytest.raises(LoadError, match=r"^no subtitle cues with text found$"):
        load_one("1\n00:00:01,000 --> 00:00:02,000\n")
