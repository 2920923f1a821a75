"""Input formats. Each module is one format:

- text formats define ``NAME``, ``sniff(path, head) -> bool`` and
  ``load(text, path, options) -> list[Transcript]``;
- JSON formats define ``NAME``, ``matches(data) -> bool`` and
  ``load_data(data, path, options) -> list[Transcript]`` (the JSON is parsed once, here).

``load_file`` reads bytes, decodes them (UTF-8, UTF-8 with BOM, UTF-16 with BOM, then cp1252
with a warning), picks the format (forced, or sniffed by content), loads, and assigns roles.
Every failure is a ``LoadError`` whose message says what is wrong in plain words.
"""

from __future__ import annotations

import json
import re
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Iterator, Sequence

from ..errors import LoadError
from ..roles import assign_roles
from ..transcript import Transcript
from .common import SEGMENTED_FORMATS, LoadOptions, apply_ignore_markers, merge_segments

__all__ = ["LoadOptions", "load_file", "load_text", "FORMAT_NAMES", "read_text"]

# JSON shapes, most specific first; "native" last because it is the loosest.
_JSON_MODULES = ("aws_transcribe", "contact_lens", "genesys", "ccai", "native")
# text shapes in sniffing order; "text" last because it is the fallback.
_TEXT_MODULES = ("script", "vtt", "srt", "csv_format", "text")

FORMAT_NAMES = ("text", "json", "jsonl", "aws-transcribe", "contact-lens", "genesys", "ccai",
                "vtt", "srt", "csv", "script")
_NAME_TO_MODULE = {"text": "text", "json": "native", "jsonl": "native",
                   "aws-transcribe": "aws_transcribe", "contact-lens": "contact_lens",
                   "genesys": "genesys", "ccai": "ccai", "vtt": "vtt", "srt": "srt",
                   "csv": "csv_format", "script": "script"}


def _module(name: str) -> ModuleType:
    return import_module(f"{__name__}.{name}")


def read_text(path: Path, max_size: int) -> tuple[str, list[str]]:
    """Read and decode a file; returns (text, warnings). Raises LoadError with the reason."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(_os_reason(exc)) from exc
    if size > max_size:
        raise LoadError(f"file is {size / 1e6:.1f} MB, over the --max-file-size limit of "
                        f"{max_size / 1e6:.1f} MB")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(_os_reason(exc)) from exc
    return decode(data)


def decode(data: bytes) -> tuple[str, list[str]]:
    if not data.strip():
        raise LoadError("file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8"), []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16"), []
    if b"\x00" in data[:8192]:
        raise LoadError("binary file (contains NUL bytes), not a transcript")
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        text = data.decode("cp1252", errors="replace")
        return text, [f"not valid UTF-8 (byte {exc.start}); read as Windows-1252 (cp1252)"]


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise LoadError(f"invalid {encoding} text at byte {exc.start}") from exc


def _os_reason(exc: OSError) -> str:
    import errno
    if exc.errno == errno.EACCES:
        return "permission denied"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno == errno.EISDIR:
        return "is a directory"
    return exc.strerror or str(exc)


def load_file(path: Path | str, options: LoadOptions | None = None) -> list[Transcript]:
    """Load every transcript in one file (a JSONL or CSV file may hold several)."""
    options = options or LoadOptions()
    path = Path(path)
    text, warnings = read_text(path, options.max_file_size)
    transcripts = load_text(text, path, options)
    if warnings:
        transcripts = [t.with_(warnings=(*warnings, *t.warnings)) for t in transcripts]
    return transcripts


def load_text_chunks(text: str, path: Path | str, options: LoadOptions | None = None, size: int = 64,
                     warnings: Sequence[str] = ()) -> Iterator[list[Transcript]]:
    """``load_text``'s transcripts (each with ``warnings`` first, as ``load_file`` gives them) in
    lists of at most ``size``. A JSON Lines file is loaded ``size`` lines at a time, so its calls
    are never all in memory; other formats are loaded whole and cut. A LoadError can come after
    some chunks: a caller that must not act on half a file goes through them once first."""
    options = options or LoadOptions()
    path = Path(path)
    if text.startswith("\ufeff"):
        text = text[1:]
    if _format_of(text, path, options.input_format) != "jsonl":
        whole = load_text(text, path, options)
        for start in range(0, len(whole), size):
            yield [_with_warnings(t, warnings) for t in whole[start:start + size]]
        return
    lines = text.splitlines()
    empty = True
    for start in range(0, len(lines), size):
        chunk = _finish(_load_jsonl_lines(lines[start:start + size], start + 1, path, options), options)
        if chunk:
            empty = False
            yield [_with_warnings(t, warnings) for t in chunk]
    if empty:
        raise LoadError("file is empty")


def _with_warnings(t: Transcript, warnings: Sequence[str]) -> Transcript:
    return t.with_(warnings=(*warnings, *t.warnings)) if warnings else t


def _format_of(text: str, path: Path, forced: str | None) -> str | None:
    """"jsonl" when the text is read as JSON Lines, else the forced format (None: sniff)."""
    if forced and forced not in _NAME_TO_MODULE:
        raise LoadError(f"unknown --input-format {forced!r}; choose one of {', '.join(FORMAT_NAMES)}")
    if not forced and path.name.lower().endswith((".script.yaml", ".script.yml")):
        return "script"
    if forced == "jsonl" or (not forced and _looks_like_jsonl(text, path)):
        return "jsonl"
    return forced


def _finish(transcripts: list[Transcript], options: LoadOptions) -> list[Transcript]:
    """Roles, inline ignore markers and merged segments, as every loaded transcript gets them."""
    transcripts = [assign_roles(t, options.aliases, options.agent_label) for t in transcripts]
    transcripts = [apply_ignore_markers(t) for t in transcripts]
    if options.merge_segments:
        transcripts = [merge_segments(t) if t.format in SEGMENTED_FORMATS else t for t in transcripts]
    for t in transcripts:
        if not t.turns:
            raise LoadError(f"transcript {t.id!r} has no turns")
    return transcripts


def load_text(text: str, path: Path | str, options: LoadOptions | None = None) -> list[Transcript]:
    """Load transcripts from already-decoded text (``path`` names the source in messages)."""
    options = options or LoadOptions()
    path = Path(path)
    if text.startswith("\ufeff"):
        text = text[1:]
    forced = _format_of(text, path, options.input_format)
    if forced == "jsonl":
        transcripts = _load_jsonl(text, path, options)
    elif forced in (None, "json") and _looks_like_json(text, path) or (
            forced and _NAME_TO_MODULE[forced] in _JSON_MODULES):
        transcripts = _load_json(text, path, options, forced)
    else:
        module = _pick_text_module(text, path, forced)
        transcripts = module.load(text, path, options)
    return _finish(transcripts, options)


def _pick_text_module(text: str, path: Path, forced: str | None) -> ModuleType:
    if forced:
        return _module(_NAME_TO_MODULE[forced])
    head = text[:8192]
    for name in _TEXT_MODULES:
        module = _module(name)
        if module.sniff(path, head):
            return module
    raise LoadError("unrecognised text format")  # pragma: no cover - text sniffs everything


def _parse_json(text: str, what: str = "JSON") -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"malformed {what} at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc


#: A JSON escape of a UTF-16 surrogate: "\\ud83d\\ude00" is one emoji, a lone one is no character.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(data: object, text: str) -> tuple[object, int]:
    """``data`` with every lone surrogate (an unpaired escape; no text can be written with one)
    replaced by U+FFFD, and how many there were. Only walks the data when ``text`` has such an
    escape at all."""
    if not _SURROGATE_ESCAPE.search(text):
        return data, 0
    count = 0

    def clean(value: object) -> object:
        nonlocal count
        if isinstance(value, str):
            fixed, n = _SURROGATE.subn("\ufffd", value)
            count += n
            return fixed
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        return value

    return clean(data), count


def _surrogate_warning(count: int) -> str:
    return f"{count} lone UTF-16 surrogate escape(s) (\\udXXX) in the JSON replaced by U+FFFD"


def _load_json(text: str, path: Path, options: LoadOptions, forced: str | None) -> list[Transcript]:
    data, lone = _without_lone_surrogates(_parse_json(text), text)
    transcripts = _dispatch_json(data, path, options, forced)
    if lone:
        transcripts = [t.with_(warnings=(*t.warnings, _surrogate_warning(lone))) for t in transcripts]
    return transcripts


def _dispatch_json(data: object, path: Path, options: LoadOptions,
                   forced: str | None) -> list[Transcript]:
    if forced and forced not in ("json", "jsonl"):
        module = _module(_NAME_TO_MODULE[forced])
        if not module.matches(data):
            raise LoadError(f"not a {forced} document (its expected keys are missing)")
        return module.load_data(data, path, options)
    for name in _JSON_MODULES:
        module = _module(name)
        if module.matches(data):
            return module.load_data(data, path, options)
    keys = ", ".join(list(data)[:8]) if isinstance(data, dict) else type(data).__name__
    raise LoadError(f"JSON of an unknown shape (top level: {keys}); expected poise native JSON "
                    "(turns), Amazon Transcribe/Contact Lens (Transcript), Genesys "
                    "(transcripts), or Google CCAI (entries / transcript.transcriptSegments)")


_JSON_START = re.compile(r"^\s*(\{|\[\s*[\[{\]\"]|\[\s*$)")


def _looks_like_json(text: str, path: Path) -> bool:
    """A JSON document: '{...}' or a list ('[{', '[]'); not a '[00:01:23] Agent:' text line."""
    return path.suffix.lower() == ".json" or bool(_JSON_START.match(text[:200]))


def _looks_like_jsonl(text: str, path: Path) -> bool:
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return True
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2 or not all(line.lstrip().startswith("{") for line in lines[:3]):
        return False
    try:
        json.loads(lines[0])
    except json.JSONDecodeError:
        return False
    return True


def _load_jsonl(text: str, path: Path, options: LoadOptions) -> list[Transcript]:
    transcripts = _load_jsonl_lines(text.splitlines(), 1, path, options)
    if not transcripts:
        raise LoadError("file is empty")
    return transcripts


def _load_jsonl_lines(lines: Sequence[str], first: int, path: Path, options: LoadOptions) -> list[Transcript]:
    """The transcripts of some lines of a JSON Lines file, the first being line ``first``."""
    transcripts: list[Transcript] = []
    for lineno, line in enumerate(lines, start=first):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LoadError(f"malformed JSON Lines at line {lineno}, column {exc.colno}: {exc.msg}") from exc
        data, lone = _without_lone_surrogates(data, line)
        try:
            loaded = _dispatch_json(data, path, options, None)
        except LoadError as exc:
            raise LoadError(f"line {lineno}: {exc}") from exc
        if lone:
            loaded = [t.with_(warnings=(*t.warnings, _surrogate_warning(lone))) for t in loaded]
        for index, t in enumerate(loaded):
            if not isinstance(data, dict) or not data.get("id"):
                t = t.with_(id=f"{path.stem}:{lineno}" if len(loaded) == 1 else f"{path.stem}:{lineno}:{index}")
            transcripts.append(t)
    return transcripts
