"""Every kind of bad input is reported per file, with a reason; the rest of the batch goes on."""

import json
import os
from pathlib import Path

import pytest

from poise.batch import InputError, discover, load_files
from poise.formats import LoadOptions

GOOD = "Agent: Thank you for calling, how can I help?\nCustomer: My bill is wrong.\n"


def reasons(tmp_path: Path, options: LoadOptions | None = None) -> dict[str, str]:
    files, errors = discover([tmp_path])
    results = list(load_files(files, options or LoadOptions()))
    out = {Path(e.path).name: e.reason for e in errors}
    out.update({Path(r.path).name: r.reason for r in results if isinstance(r, InputError)})
    out.update({Path(r.path).name: "ok" for r in results if not isinstance(r, InputError)})
    return out


@pytest.mark.parametrize("name,content,reason", [
    ("empty.txt", b"", "file is empty"),
    ("blank.txt", b"\n  \n", "file is empty"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ("broken.json", b'{"turns": [\n  {"speaker": "agent", "text": "hi"\n', "malformed JSON at line 3, column 1"),
    ("shape.json", json.dumps({"hello": "world"}).encode(), "JSON of an unknown shape (top level: hello)"),
    ("zero.json", json.dumps({"id": "z", "turns": []}).encode(), "has no turns"),
    ("prose.txt", b"Dear team, please find attached.", "expected 'Speaker: text'"),
])
def test_bad_file_is_reported_with_reason_and_good_file_still_loads(tmp_path, name, content, reason):
    (tmp_path / "good.txt").write_text(GOOD)
    (tmp_path / name).write_bytes(content)
    got = reasons(tmp_path)
    assert got["good.txt"] == "ok"
    assert reason in got[name]


def test_utf16_with_bom_is_decoded(tmp_path):
    (tmp_path / "u16.txt").write_bytes(GOOD.encode("utf-16"))
    [loaded] = list(load_files([tmp_path / "u16.txt"], LoadOptions()))
    assert loaded.transcripts[0].turns[0].text.startswith("Thank you")


def test_utf8_bom_is_stripped(tmp_path):
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(
        {"turns": [{"speaker": "agent", "text": "hi"}]}).encode())
    [loaded] = list(load_files([tmp_path / "bom.json"], LoadOptions()))
    assert loaded.transcripts[0].format == "json"


def test_invalid_utf8_falls_back_to_cp1252_with_a_warning(tmp_path):
    (tmp_path / "latin.txt").write_bytes("Agent: Caf\u00e9 \u2019s open\nCustomer: ok\n".encode("cp1252"))
    [loaded] = list(load_files([tmp_path / "latin.txt"], LoadOptions()))
    t = loaded.transcripts[0]
    assert t.turns[0].text == "Caf\u00e9 \u2019s open"
    assert any("cp1252" in w for w in t.warnings)


@pytest.mark.parametrize("name,body", [
    ("lone.json", '{"id": "c1", "metadata": {"agent": "Ann \\udc80"}, "turns": ['
                  '{"speaker": "agent", "text": "Hello \\ud800 I am sorry for the wait."},'
                  '{"speaker": "customer", "text": "ok \\ud83d\\ude00"}]}'),
    ("lone.jsonl", '{"id": "c1", "metadata": {"agent": "Ann \\udc80"}, "turns": ['
                   '{"speaker": "agent", "text": "Hello \\ud800 I am sorry for the wait."},'
                   '{"speaker": "customer", "text": "ok \\ud83d\\ude00"}]}\n'
                   '{"id": "c2", "turns": [{"speaker": "agent", "text": "Hi."}]}\n'),
])
def test_lone_surrogate_escapes_in_json_become_replacement_characters(tmp_path, name, body, run_cli):
    """A JSON string may escape half a UTF-16 pair ("\\ud800"): Python reads it as a lone
    surrogate, which no encoder writes, so one such call used to crash the whole batch. It is
    replaced by U+FFFD with a warning; a real pair (an emoji) is kept."""
    calls = tmp_path / "calls"
    calls.mkdir()
    (calls / name).write_text(body)
    [loaded] = list(load_files([calls / name], LoadOptions()))
    first = loaded.transcripts[0]
    assert first.turns[0].text == "Hello \ufffd I am sorry for the wait."
    assert first.turns[1].text == "ok \U0001F600" and first.metadata["agent"] == "Ann \ufffd"
    assert first.warnings == ("2 lone UTF-16 surrogate escape(s) (\\udXXX) in the JSON replaced by U+FFFD",)
    assert all(not t.warnings for t in loaded.transcripts[1:])  # the other line of the JSONL is clean
    (calls / "good.txt").write_text(GOOD)
    for out in ("r.jsonl", "r.html", "r.csv"):
        result = run_cli("score", calls, "-o", tmp_path / "out" / out, "--no-cache", "--workers", "1")
        assert result.exit_code == 0, result.stderr
    assert "sorry for the wait" in (tmp_path / "out" / "r.jsonl").read_text()


def test_file_over_max_size_is_skipped_with_reason(tmp_path):
    (tmp_path / "big.txt").write_text(GOOD * 100)
    got = reasons(tmp_path, LoadOptions(max_file_size=1000))
    assert "over the --max-file-size limit" in got["big.txt"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file regardless of permissions")
def test_unreadable_permissions_are_reported(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(GOOD)
    path.chmod(0)
    assert "permission denied" in reasons(tmp_path)["secret.txt"]


def test_permission_error_reason_is_plain_words(tmp_path, monkeypatch):
    """Root ignores file modes, so simulate the OS refusing the read."""
    import errno
    path = tmp_path / "secret.txt"
    path.write_text(GOOD)

    def refuse(self):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    [result] = list(load_files([path], LoadOptions()))
    assert isinstance(result, InputError) and result.reason == "permission denied"


def test_symlink_to_itself_is_reported_as_a_loop(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD)
    os.symlink(tmp_path / "loop.txt", tmp_path / "loop.txt")
    got = reasons(tmp_path)
    assert got["loop.txt"] == "symbolic link loop"
    assert got["good.txt"] == "ok"


def test_folder_symlink_loop_is_walked_once(tmp_path):
    sub = tmp_path / "calls"
    sub.mkdir()
    (sub / "a.txt").write_text(GOOD)
    os.symlink(tmp_path, sub / "back")
    files, errors = discover([tmp_path])
    assert [f.name for f in files] == ["a.txt"]
    assert any("symbolic link loop" in e.reason for e in errors)


def test_missing_path_is_reported(tmp_path):
    files, errors = discover([tmp_path / "nope"])
    assert files == [] and errors[0].reason == "no such file or folder"


def test_include_and_exclude_globs(tmp_path):
    for name in ("a.txt", "b.json", "skip_me.txt", "notes.md"):
        (tmp_path / name).write_text(GOOD)
    files, _ = discover([tmp_path])
    assert sorted(f.name for f in files) == ["a.txt", "b.json", "skip_me.txt"]
    files, _ = discover([tmp_path], include=["*.txt"], exclude=["skip_*"])
    assert [f.name for f in files] == ["a.txt"]
