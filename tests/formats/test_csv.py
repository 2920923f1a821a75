"""CSV/TSV loader: header names find the columns, call ids split a file into calls."""

from pathlib import Path

import pytest

from poise.errors import LoadError
from poise.formats import LoadOptions, csv_format, load_file, load_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"


def load(text: str, name: str = "calls.csv", **options):
    return load_text(text, Path(name), LoadOptions(**options))


def load_one(text: str, name: str = "calls.csv", **options):
    [transcript] = load(text, name, **options)
    return transcript


def test_csv_file_is_sniffed_without_input_format():
    [t] = load_file(FIXTURES / "csv_single_call.csv")
    assert t.format == "csv"


def test_csv_without_call_id_is_one_call_named_after_the_file():
    [t] = load_file(FIXTURES / "csv_single_call.csv")
    assert t.id == "csv_single_call"
    assert len(t.turns) == 7


def test_csv_header_names_are_case_and_space_insensitive():
    [t] = load_file(FIXTURES / "csv_single_call.csv")  # Speaker, Start Time, End Time, Text
    assert [(x.label, x.start, x.end) for x in t.turns[:4]] == [
        ("Rep", 0.0, 4.2), ("Caller", 4.8, 9.5), ("Rep", 10.1, 13.0), ("Rep", 13.4, 18.75)]
    assert t.turns[0].text == "Thank you for calling Northwind Energy, this is Dana."


def test_csv_constant_columns_become_metadata():
    [t] = load_file(FIXTURES / "csv_single_call.csv")
    assert t.metadata == {"Agent": "Dana", "Team": "Billing", "Queue": "Residential"}
    assert all(x.extra == {} for x in t.turns)


def test_csv_labels_resolved_to_roles_by_alias():
    [t] = load_file(FIXTURES / "csv_single_call.csv")
    assert t.roles.method == "alias" and t.roles.agent_label == "Rep"
    assert [x.speaker for x in t.turns] == [
        "agent", "customer", "agent", "agent", "customer", "agent", "customer"]


def test_csv_turn_lines_are_file_lines():
    [t] = load_file(FIXTURES / "csv_single_call.csv")
    assert [x.line for x in t.turns] == [2, 3, 4, 5, 6, 7, 8]


def test_csv_call_id_column_gives_one_transcript_per_call_in_order_of_first_appearance():
    calls = load_file(FIXTURES / "csv_many_calls.csv")
    assert [c.id for c in calls] == ["CALL-1001", "CALL-1002"]
    first, second = calls
    assert [x.line for x in first.turns] == [2, 3, 4, 5, 9]
    assert [x.line for x in second.turns] == [6, 7, 8, 10]
    assert first.turns[-1].text == "Thank you. I've raised it to five hundred pounds."
    assert [(x.start, x.end) for x in second.turns] == [
        (0.0, 3.0), (3.4, 7.1), (7.5, 11.0), (11.4, 12.5)]


def test_csv_role_values_set_roles_from_the_source():
    for call in load_file(FIXTURES / "csv_many_calls.csv"):
        assert call.roles.method == "source"
        assert [x.speaker for x in call.turns] == [x.label.lower() for x in call.turns]
        assert {x.label for x in call.turns} == {"AGENT", "CUSTOMER"}


def test_csv_metadata_is_per_call_and_varying_columns_go_to_turn_extra():
    first, second = load_file(FIXTURES / "csv_many_calls.csv")
    assert first.metadata == {"agent": "Omar", "date": "2024-03-04"}
    assert second.metadata == {"agent": "Grace", "date": "2024-03-05"}
    assert [x.extra for x in second.turns] == [
        {"sentiment": "neutral"}, {"sentiment": "negative"}, {"sentiment": "positive"},
        {"sentiment": "positive"}]


def test_tsv_with_millisecond_columns():
    first, second = load_file(FIXTURES / "csv_calls.tsv")
    assert (first.id, second.id) == ("T-77", "T-78")
    assert first.format == "csv"
    assert [(x.start, x.end) for x in first.turns] == [
        (0.0, 3.5), (4.0, 8.25), (8.8, 12.0), (72.0, 76.125), (76.5, 78.0)]
    assert first.turns[2].text == "I will run a line test now; it takes about a minute."
    assert first.metadata == {"queue": "Technical"} and second.metadata == {"queue": "Sales"}
    assert first.roles.method == "source"


def test_tsv_content_is_sniffed_without_the_extension():
    text = (FIXTURES / "csv_calls.tsv").read_text()
    calls = load(text, name="export.dat")
    assert [c.id for c in calls] == ["T-77", "T-78"] and calls[0].format == "csv"


def test_csv_columns_option_maps_our_names_to_the_header():
    options = LoadOptions(csv_columns={"text": "Said", "speaker": "who spoke", "start": "From",
                                       "end": "To", "id": "Ticket"})
    [t] = load_file(FIXTURES / "csv_custom_columns.csv", options)
    assert t.id == "R-5"
    assert [x.label for x in t.turns] == ["Dana", "Mr Lee", "Dana", "Mr Lee", "Dana"]
    assert [(x.start, x.end) for x in t.turns] == [
        (1.0, 5.5), (6.0, 10.0), (10.5, 16.0), (16.4, 18.0), (78.0, 80.25)]
    assert t.metadata == {"Channel Name": "Phone"}


def test_csv_named_speakers_get_roles_by_heuristic():
    options = LoadOptions(csv_columns={"text": "Said", "speaker": "Who Spoke"})
    [t] = load_file(FIXTURES / "csv_custom_columns.csv", options)
    assert t.roles.method == "heuristic" and t.roles.agent_label == "Dana"
    assert {x.label: x.speaker for x in t.turns} == {"Dana": "agent", "Mr Lee": "customer"}


def test_csv_semicolons_and_decimal_commas():
    [t] = load_file(FIXTURES / "csv_semicolon.csv")
    assert [(x.label, x.start, x.end) for x in t.turns] == [
        ("Agent", 0.5, 3.2), ("Customer", 3.8, 7.0), ("Agent", 7.5, 11.25), ("Customer", 11.6, 12.4)]
    assert t.turns[0].text == "Guten Tag, thank you for calling Rhein Rail, how can I help?"
    assert t.turns[2].text == "Yes, I've started the refund; it arrives within a week."


def test_csv_content_is_sniffed_despite_a_txt_extension():
    [t] = load_file(FIXTURES / "csv_content_only.txt")
    assert t.format == "csv" and t.id == "csv_content_only"
    assert t.roles.method == "source"
    assert [x.speaker for x in t.turns] == ["agent", "customer", "agent", "customer"]
    assert all(x.start is None and x.end is None for x in t.turns)


def test_csv_name_column_with_a_role_column_gives_labels_and_source_roles():
    t = load_one("speaker,role,text\nDana,agent,Thanks for calling.\nMr Lee,customer,Hi.\n")
    assert [(x.label, x.speaker) for x in t.turns] == [("Dana", "agent"), ("Mr Lee", "customer")]
    assert t.roles.method == "source"
    assert t.metadata == {} and all(x.extra == {} for x in t.turns)
    t = load_one("speaker_name,participant_role,text\nDana,AGENT,Thanks for calling.\n"
                 "Mr Lee,CUSTOMER,Hi.\n", csv_columns={"speaker": "speaker_name"})
    assert [(x.label, x.speaker) for x in t.turns] == [("Dana", "agent"), ("Mr Lee", "customer")]


def test_csv_hh_mm_ss_times_and_start_only():
    t = load_one("who,timestamp,content\nAgent,00:00:05,Hello.\nCustomer,1:02:03.5,Hi.\n")
    assert [(x.start, x.end) for x in t.turns] == [(5.0, None), (3723.5, None)]


def test_csv_row_with_empty_call_id_continues_the_call_above():
    calls = load("call_id,speaker,text\nA,Agent,Hello.\n,Customer,Hi.\nB,Agent,Morning.\n"
                 "B,Customer,Hey.\n")
    assert [(c.id, len(c.turns)) for c in calls] == [("A", 2), ("B", 2)]


def test_csv_id_column_unique_on_every_row_is_read_as_a_row_id():
    t = load_one("id,speaker,text\n1,Agent,Thanks for calling.\n2,Customer,Hi.\n3,Agent,Bye.\n")
    assert t.id == "calls" and len(t.turns) == 3
    assert [x.extra for x in t.turns] == [{"id": "1"}, {"id": "2"}, {"id": "3"}]
    assert any("read as a row id" in w for w in t.warnings)
    calls = load("id,speaker,text\n1,Agent,Hi.\n2,Customer,Hi.\n", csv_columns={"id": "id"})
    assert [c.id for c in calls] == ["1", "2"]


def test_csv_without_speaker_column_reads_labels_from_the_text():
    t = load_one("start,text\n0,Agent: Thanks for calling.\n2,Customer: Hi.\n3,my bill is wrong\n")
    assert [(x.label, x.text) for x in t.turns] == [
        ("Agent", "Thanks for calling."), ("Customer", "Hi."), ("Customer", "my bill is wrong")]


def test_csv_quoted_newlines_blank_rows_and_trailing_empty_fields():
    t = load_one('speaker,text\nAgent,"Thanks for calling.\nHow can I help?"\n\nCustomer,Hi.,\n'
                 'Agent,,\n')
    assert [(x.label, x.text, x.line) for x in t.turns] == [
        ("Agent", "Thanks for calling. How can I help?", 2), ("Customer", "Hi.", 5)]


def test_csv_sniff_needs_a_delimited_header_with_a_text_column():
    assert csv_format.sniff(Path("x.txt"), "speaker|utterance\nAgent|Hi\n")
    assert csv_format.sniff(Path("x.csv"), "anything")
    assert csv_format.sniff(Path("x.tsv"), "anything")
    assert not csv_format.sniff(Path("x.txt"), "Agent: Hello, thanks for calling.\nCustomer: Hi.\n")
    assert not csv_format.sniff(Path("x.txt"), "speaker,words\nAgent,Hi\n")
    assert not csv_format.sniff(Path("x.txt"), "text\nHi\n")


def test_plain_text_transcript_with_commas_is_not_taken_for_csv():
    [t] = load_text("Agent: Hello, text me later, thanks.\nCustomer: Sure, bye.\n", Path("c.txt"))
    assert t.format == "text"


def test_csv_without_text_column_is_a_load_error():
    with pytest.raises(LoadError, match=r"^no text column: header has speaker, start, end, words; "
                                        r"name one with --csv-columns text=COLUMN$"):
        load_file(FIXTURES / "csv_no_text_column.csv")


def test_csv_row_with_too_few_fields_is_a_load_error_with_its_line():
    with pytest.raises(LoadError, match=r"^line 4: row has 2 field\(s\) but the header has 4$"):
        load_file(FIXTURES / "csv_short_row.csv")


def test_csv_row_with_too_many_fields_is_a_load_error_with_its_line():
    with pytest.raises(LoadError, match=r"^line 3: row has 3 fields but the header has 2 "
                                        r"\(quote fields that contain ','\)$"):
        load("speaker,text\nAgent,Hello.\nCustomer,Hi, my bill is wrong.\n")


def test_csv_bad_time_is_a_load_error_naming_row_and_column():
    with pytest.raises(LoadError, match=r"^line 3: bad time 'five' in column 'end'; expected "
                                        r"seconds \(12.5\), HH:MM:SS\(.mmm\), or milliseconds"):
        load_file(FIXTURES / "csv_bad_time.csv")


@pytest.mark.parametrize("value", ["-1", "nan", "2024-03-04T10:00:00Z", "12:75"])
def test_csv_other_bad_times_are_load_errors(value):
    with pytest.raises(LoadError, match=rf"^line 2: bad time '{value}' in column 'start'"):
        load(f"speaker,start,text\nAgent,{value},Hi.\n")


def test_csv_columns_naming_a_missing_column_is_a_load_error():
    with pytest.raises(LoadError, match=r"^--csv-columns text=Words: no such column; header has "
                                        r"Ticket, Who Spoke, Said, From, To, Channel Name$"):
        load_file(FIXTURES / "csv_custom_columns.csv", LoadOptions(csv_columns={"text": "Words"}))


def test_csv_columns_with_an_unknown_name_is_a_load_error():
    with pytest.raises(LoadError, match=r"^unknown --csv-columns name 'words'"):
        load("speaker,text\nAgent,Hi.\n", csv_columns={"words": "text"})


def test_csv_header_without_rows_is_a_load_error():
    with pytest.raises(LoadError, match=r"^no rows after the header$"):
        load("speaker,text\n\n")


def test_csv_first_row_without_call_id_is_a_load_error():
    with pytest.raises(LoadError, match=r"^line 2: empty call id in column 'call_id'$"):
        load("call_id,speaker,text\n,Agent,Hi.\nA,Customer,Hello.\n")


def test_csv_forced_on_a_file_without_delimiters_reports_the_header():
    with pytest.raises(LoadError, match=r"^no text column: header has Agent: Hello"):
        load("Agent: Hello\nCustomer: Hi\n", name="call.txt", input_format="csv")
