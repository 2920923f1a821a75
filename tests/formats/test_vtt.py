"""WebVTT loader: voice tags and 'Name:' lines give labels, cue timings give seconds."""

from pathlib import Path

import pytest

from poise.errors import LoadError
from poise.formats import LoadOptions, load_text, vtt
from poise.formats import load_file as _load_file


def load_file(path, options=None):
    """These tests pin cue-level loading; merging of cues is tested on its own."""
    return _load_file(path, options or LoadOptions(merge_segments=False))

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"


def load_one(text: str, name: str = "call.vtt", **options):
    [transcript] = load_text(text, Path(name), LoadOptions(**{"merge_segments": False, **options}))
    return transcript


def test_vtt_file_is_sniffed_without_input_format():
    [t] = load_file(FIXTURES / "vtt_voice_tags.vtt")
    assert t.format == "vtt"
    assert t.id == "vtt_voice_tags"
    assert t.source.endswith("vtt_voice_tags.vtt")


def test_vtt_content_is_sniffed_despite_a_txt_extension():
    [t] = load_file(FIXTURES / "vtt_content_only.txt")
    assert t.format == "vtt"
    assert [(x.label, x.speaker) for x in t.turns] == [
        ("Rep", "agent"), ("Caller", "customer"), ("Rep", "agent"), ("Caller", "customer")]
    assert t.roles.method == "alias"


def test_vtt_timestamps_without_hours_give_seconds():
    [t] = load_file(FIXTURES / "vtt_content_only.txt")
    assert [(x.start, x.end) for x in t.turns] == [(1.0, 3.5), (4.0, 7.25), (7.8, 11.0),
                                                   (61.0, 62.5)]


def test_vtt_voice_tags_give_speaker_labels():
    [t] = load_file(FIXTURES / "vtt_voice_tags.vtt")
    assert [x.label for x in t.turns] == [
        "Dana", "Mr Lee", "Dana", "Mr Lee", "Dana", "Mr Lee", "Dana", "Dana", "Mr Lee"]
    assert t.turns[0].text == ("Thank you for calling Northwind Energy, my name is Dana. "
                               "How can I help you today?")


def test_vtt_cue_timings_give_exact_start_and_end_seconds():
    [t] = load_file(FIXTURES / "vtt_voice_tags.vtt")
    assert [(x.start, x.end) for x in t.turns] == [
        (0.8, 5.12), (5.6, 10.25), (10.9, 14.0), (14.4, 16.075), (16.5, 21.3),
        (21.8, 24.0), (21.8, 24.0), (24.5, 27.9), (28.3, 30.0)]
    assert t.duration == 30.0


def test_vtt_named_speakers_get_roles_by_heuristic():
    [t] = load_file(FIXTURES / "vtt_voice_tags.vtt")
    assert t.roles.method == "heuristic"
    assert t.roles.agent_label == "Dana"
    assert {x.label: x.speaker for x in t.turns} == {"Dana": "agent", "Mr Lee": "customer"}
    assert any("guessed 'Dana'" in w for w in t.warnings)


def test_vtt_several_voice_spans_in_one_cue_give_several_turns():
    [t] = load_file(FIXTURES / "vtt_voice_tags.vtt")
    lee, dana = t.turns[5], t.turns[6]
    assert (lee.label, lee.text) == ("Mr Lee", "Oh good, thank you.")
    assert (dana.label, dana.text) == ("Dana", "You're welcome.")
    assert lee.start == dana.start == 21.8 and lee.end == dana.end == 24.0


def test_vtt_other_tags_are_stripped_and_cue_lines_joined():
    [t] = load_file(FIXTURES / "vtt_voice_tags.vtt")
    assert t.turns[2].text == "I'm sorry to hear that. For security, could you confirm your postcode?"
    assert t.turns[3].text == "Sure, it's AB1 2CD."
    assert t.turns[4].text == ("Thanks. I can see an estimated reading from March. "
                               "We'll correct it today.")
    assert not any("<" in x.text or ">" in x.text for x in t.turns)


def test_vtt_notes_and_header_text_are_not_turns_and_identifiers_are_kept():
    [t] = load_file(FIXTURES / "vtt_voice_tags.vtt")
    assert len(t.turns) == 9
    assert not any("Exported" in x.text or "Kind" in x.text for x in t.turns)
    assert t.turns[0].extra == {"cue": "intro"}
    assert t.turns[1].extra == {}


def test_vtt_turn_lines_point_at_the_cue_text():
    [t] = load_file(FIXTURES / "vtt_voice_tags.vtt")
    lines = (FIXTURES / "vtt_voice_tags.vtt").read_text().splitlines()
    for turn in t.turns:
        assert turn.text.split()[0].rstrip(",.") in lines[turn.line - 1]


def test_vtt_speaker_lines_give_labels_and_alias_roles():
    [t] = load_file(FIXTURES / "vtt_speaker_lines.vtt")
    assert t.roles.method == "alias" and t.roles.agent_label == "Agent"
    assert [(x.label, x.speaker) for x in t.turns] == [
        ("Agent", "agent"), ("Customer", "customer"), ("Agent", "agent"),
        ("Customer", "customer"), ("Agent", "agent"), ("Unknown", "other"),
        ("Customer", "customer")]
    assert t.turns[1].text == ("Hi, my card was declined at the supermarket this morning and I "
                               "don't know why.")
    assert t.turns[2].text == "I can look into that for you. Could you give me the last four digits?"
    assert (t.turns[4].start, t.turns[4].end) == (14.3, 18.65)


def test_vtt_cue_without_voice_or_label_is_unknown():
    [t] = load_file(FIXTURES / "vtt_speaker_lines.vtt")
    assert (t.turns[5].label, t.turns[5].text) == ("Unknown", "[hold music]")


def test_vtt_two_labelled_lines_in_one_cue_give_two_turns():
    t = load_one("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nAgent: How can I help?\n"
                 "Customer: My bill is wrong.\n")
    assert [(x.label, x.text, x.line) for x in t.turns] == [
        ("Agent", "How can I help?", 4), ("Customer", "My bill is wrong.", 5)]


def test_vtt_voice_span_with_classes_and_no_closing_tag():
    t = load_one("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v.first.loud Agent>Thanks for "
                 "calling.\n\n00:00:03.500 --> 00:00:05.000\n<v Customer>Hi!</v>\n")
    assert [(x.label, x.speaker, x.text) for x in t.turns] == [
        ("Agent", "agent", "Thanks for calling."), ("Customer", "customer", "Hi!")]


def test_vtt_voice_spans_on_separate_lines_of_a_cue():
    t = load_one("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Agent>Anything else?\n"
                 "<v Customer>No, thanks.\n")
    assert [(x.label, x.text, x.line) for x in t.turns] == [
        ("Agent", "Anything else?", 4), ("Customer", "No, thanks.", 5)]


def test_vtt_sniff_accepts_bom_leading_blank_lines_and_crlf():
    text = "\ufeff\r\n  WEBVTT\r\n\r\n00:00:01.000 --> 00:00:02.500\r\n<v Agent>Hello.\r\n"
    assert vtt.sniff(Path("call.txt"), text)
    t = load_one(text, name="call.txt")
    assert t.format == "vtt"
    assert [(x.label, x.text, x.start, x.end, x.line) for x in t.turns] == [
        ("Agent", "Hello.", 1.0, 2.5, 5)]


def test_vtt_line_numbers_count_blank_lines_before_the_header():
    with pytest.raises(LoadError, match=r"^line 5: malformed cue timing"):
        load_one("\n\nWEBVTT\n\n00:00:01.000 -> 00:00:02.000\n<v Agent>Hi\n")


def test_vtt_sniff_rejects_other_text():
    assert not vtt.sniff(Path("call.txt"), "Agent: WEBVTT is a format\n")
    assert vtt.sniff(Path("call.vtt"), "anything")


def test_vtt_forced_input_format_loads_vtt():
    [t] = load_file(FIXTURES / "vtt_content_only.txt", LoadOptions(input_format="vtt"))
    assert t.format == "vtt"


def test_vtt_malformed_timing_arrow_is_a_load_error_with_the_line():
    with pytest.raises(LoadError, match=r"^line 6: malformed cue timing '00:00:03.500 -> "
                                        r"00:00:06.000'; expected HH:MM:SS.mmm --> HH:MM:SS.mmm$"):
        load_file(FIXTURES / "vtt_bad_timing.vtt")


def test_vtt_timing_out_of_range_is_a_load_error():
    with pytest.raises(LoadError, match=r"^line 3: malformed cue timing '00:00:01.000 --> "
                                        r"00:00:75.000'"):
        load_one("WEBVTT\n\n00:00:01.000 --> 00:00:75.000\n<v Agent>Hi\n")


def test_vtt_broken_timing_after_an_identifier_is_a_load_error():
    with pytest.raises(LoadError, match=r"^line 4: malformed cue timing '00:00:01.000 00:00:02.000'"):
        load_one("WEBVTT\n\ncue-1\n00:00:01.000 00:00:02.000\n<v Agent>Hi\n")


def test_vtt_cue_ending_before_it_starts_is_a_load_error():
    with pytest.raises(LoadError, match=r"^line 3: cue ends before it starts"):
        load_one("WEBVTT\n\n00:00:05.000 --> 00:00:01.000\n<v Agent>Hi\n")


def test_vtt_text_outside_a_cue_is_a_load_error():
    with pytest.raises(LoadError, match=r"^line 6: text outside a cue .*\"My parcel hasn't arrived.\""):
        load_file(FIXTURES / "vtt_text_outside_cue.vtt")


def test_vtt_missing_header_when_forced_is_a_load_error():
    with pytest.raises(LoadError, match=r"^not a WebVTT file: the first line must start with "
                                        r"WEBVTT, found 'Agent: Hello'$"):
        load_one("Agent: Hello\nCustomer: Hi\n", name="call.txt", input_format="vtt")


def test_vtt_without_cues_is_a_load_error():
    with pytest.raises(LoadError, match=r"^no cues with text found$"):
        load_one("WEBVTT\n\nNOTE nothing was said\n")
