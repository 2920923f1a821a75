import json
from pathlib import Path

import jsonschema
import pytest

from poise.errors import LoadError
from poise.formats import LoadOptions, load_file
from poise.formats.native import schema

CALL = {"id": "c1", "metadata": {"agent": "Dana", "team": "Billing"},
        "turns": [{"speaker": "agent", "text": "Thanks for calling.", "start": 0, "end": 1.5},
                  {"speaker": "customer", "text": "Hi.", "start": 1.7, "end": 2.0}]}


def write(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_native_json_loads_roles_times_and_metadata(tmp_path):
    [t] = load_file(write(tmp_path, "a.json", CALL))
    assert t.id == "c1" and t.format == "json"
    assert t.metadata["agent"] == "Dana"
    assert [(x.speaker, x.start, x.end) for x in t.turns] == [("agent", 0.0, 1.5), ("customer", 1.7, 2.0)]
    assert t.roles.method == "source"


def test_a_list_of_calls_gives_several_transcripts(tmp_path):
    calls = [dict(CALL, id="a"), dict(CALL, id="b")]
    assert [t.id for t in load_file(write(tmp_path, "two.json", calls))] == ["a", "b"]


def test_jsonl_takes_ids_from_the_line_when_absent(tmp_path):
    no_id = {k: v for k, v in CALL.items() if k != "id"}
    text = json.dumps(CALL) + "\n\n" + json.dumps(no_id) + "\n"
    ids = [t.id for t in load_file(write(tmp_path, "batch.jsonl", text))]
    assert ids == ["c1", "batch:3"]


def test_jsonl_is_sniffed_by_content_without_the_extension(tmp_path):
    text = json.dumps(CALL) + "\n" + json.dumps(dict(CALL, id="c2")) + "\n"
    assert len(load_file(write(tmp_path, "batch.txt", text))) == 2


def test_labels_that_are_not_roles_go_through_aliases(tmp_path):
    call = {"turns": [{"speaker": "Rep", "text": "Hello"}, {"speaker": "Caller", "text": "Hi"}]}
    [t] = load_file(write(tmp_path, "x.json", call))
    assert [x.speaker for x in t.turns] == ["agent", "customer"]
    assert t.roles.method == "alias"


def test_schema_violation_names_the_field(tmp_path):
    bad = {"turns": [{"speaker": "agent"}]}
    with pytest.raises(LoadError, match=r"turns/0: 'text' is a required property"):
        load_file(write(tmp_path, "x.json", bad))


def test_malformed_jsonl_line_is_reported_with_line_number(tmp_path):
    text = json.dumps(CALL) + "\n{oops\n"
    with pytest.raises(LoadError, match="line 2, column 2"):
        load_file(write(tmp_path, "x.jsonl", text))


def test_shipped_schema_accepts_the_documented_example():
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(CALL, schema())


def test_the_quick_shape_check_never_accepts_what_the_schema_refuses():
    """formats.native.plainly_valid skips jsonschema for the common case: it may say False for a
    valid call (jsonschema then decides) but never True for an invalid one."""
    import jsonschema
    from hypothesis import given, settings, strategies as st

    from poise.formats import native

    validator = jsonschema.Draft202012Validator(native.schema())
    scalar = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True),
                       st.text(max_size=3), st.just(1.0))
    turn = st.one_of(scalar, st.dictionaries(
        st.sampled_from(["speaker", "text", "start", "end", "x"]),
        st.one_of(scalar, st.just("agent"), st.lists(scalar, max_size=1)), max_size=5))
    call = st.one_of(scalar, st.dictionaries(
        st.sampled_from(["id", "metadata", "turns", "x"]),
        st.one_of(scalar, st.lists(turn, max_size=3), st.dictionaries(st.text(max_size=2), scalar, max_size=2)),
        max_size=4))

    @settings(max_examples=400, deadline=None)
    @given(call)
    def check(item):
        if native.plainly_valid(item):
            assert validator.is_valid(item), item

    check()
    good = {"id": "c1", "metadata": {"agent": "A"},
            "turns": [{"speaker": "agent", "text": "Hi", "start": 0, "end": 1.5}, {"speaker": "x", "text": ""}]}
    assert native.plainly_valid(good) and validator.is_valid(good)
