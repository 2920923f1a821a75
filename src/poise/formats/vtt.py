"""WebVTT captions (``.vtt``), as exported by meeting and contact-centre tools.

::

    WEBVTT

    NOTE call 2291, billing queue

    1
    00:00:01.000 --> 00:00:04.200
    <v Dana>Thank you for calling Northwind, this is Dana.</v>

    00:00:04.800 --> 00:00:07.500
    Customer: Hi, I was charged twice.

Parsed with ``webvtt-py``. One turn per cue, with the cue's start and end in seconds -- no
merging, so turns match the cues one to one. The speaker label comes from a ``<v Name>`` voice
span; a cue holding several voice spans gives one turn per span (each with the cue's
timings). Without a voice span, a ``Name: text`` line gives the label (a later line of the cue
with another ``Name:`` starts another turn); otherwise the label is ``Unknown``. Other tags
(``<c>``, ``<i>``, ``<b>``, ``<00:00:01.000>``...) are removed and the lines of a cue joined
with spaces. NOTE, STYLE and REGION blocks and cue identifiers are read and ignored (the
identifier is kept as ``extra["cue"]``). Labels are resolved to roles later (aliases,
``--agent`` or the reported heuristic).

webvtt-py silently drops cue blocks it cannot read, so the file is first checked here: a
malformed timing line, or text outside any cue, is a ``LoadError`` naming the line.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import webvtt

from ..errors import LoadError
from ..transcript import RoleAssignment, Transcript, Turn
from .common import LoadOptions, cue_times, stem_id
from .srt import UNKNOWN, clean_text, split_label

NAME = "vtt"

_STAMP = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})\.(\d{1,3})"
_TIMING = re.compile(rf"^\s*{_STAMP}\s*-->\s*{_STAMP}(?=\s|$)")
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*(?:\s+([^>]*))?>", re.IGNORECASE)
_VOICE_END = re.compile(r"</v\s*>", re.IGNORECASE)
_TIMING_LIKE = re.compile(r"^\s*\d+:\d")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # WebVTT's line terminators, as webvtt-py splits


def sniff(path: Path, head: str) -> bool:
    return path.suffix.lower() == ".vtt" or head.lstrip("\ufeff \t\r\n").startswith("WEBVTT")



def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Blocks as webvtt-py splits them: (0-based index of the first line, lines).

    An empty line ends a block (a line of spaces does not), and a line with ``-->`` that
    cannot be the timing line of the current block (its first line, or the second after an
    identifier) starts a new one.
    """
    blocks: list[tuple[int, list[str]]] = []
    block: list[str] = []
    first = 0
    for index, line in enumerate(lines):
        if not line or (block and "-->" in line and (
                not blocks or len(block) > 1 or "-->" in block[0])):
            if block:
                blocks.append((first, block))
                block = []
        if line:
            if not block:
                first = index
            block.append(line)
    if block:
        blocks.append((first, block))
    return blocks


def _cue_timings(lines: list[str], skipped: int = 0) -> list[tuple[int, float, float]]:
    """Check every cue block; returns (0-based timing line index, start, end) per cue.

    ``skipped`` is the number of blank lines removed before the WEBVTT line, added to every
    line number so that they count from the top of the file.
    """
    cues: list[tuple[int, float, float]] = []
    for position, (first, block) in enumerate(_blocks(lines)):
        first += skipped
        if position == 0:
            continue  # the WEBVTT header (and its metadata lines)
        timing_at = next((i for i in (0, 1) if i < len(block) and "-->" in block[i]), None)
        if timing_at is None:
            if block[0].startswith(("NOTE", "STYLE", "REGION")):
                continue
            # a timing line without a proper arrow ("00:01.000 - 00:04.000"), or stray text
            timing_at = next((i for i in (0, 1) if i < len(block)
                              and _TIMING_LIKE.match(block[i])), None)
            if timing_at is None:
                raise LoadError(f"line {first + 1}: text outside a cue (no "
                                f"'HH:MM:SS.mmm --> HH:MM:SS.mmm' line before it): "
                                f"{block[0].strip()[:60]!r}")
        line = block[timing_at]
        where = first + timing_at + 1
        start, end = cue_times(_TIMING, line, f"line {where}", "HH:MM:SS.mmm --> HH:MM:SS.mmm")
        cues.append((first + timing_at, start, end))
    return cues


def _spans(raw_lines: list[str]) -> list[tuple[str | None, str, int]]:
    """Split a cue's raw lines into (voice or None, raw text, line offset) spans.

    Text before the first voice span is a span without a voice; text after a ``</v>`` stays
    with the span it follows. Lines are kept apart with newlines.
    """
    spans: list[list] = []
    for offset, raw in enumerate(raw_lines):
        sep = "\n" if offset else ""
        pos = 0
        for m in _VOICE.finditer(raw):
            before = raw[pos:m.start()]
            if spans:
                spans[-1][1] += sep + before
            elif before.strip():
                spans.append([None, before, offset])
            sep = ""
            spans.append([(m.group(1) or "").strip() or None, "", offset])
            pos = m.end()
        if spans:
            spans[-1][1] += sep + raw[pos:]
        else:
            spans.append([None, raw[pos:], offset])
    return [(voice, _VOICE_END.sub(" ", text), offset) for voice, text, offset in spans]


def _cue_turns(raw_lines: list[str], start: float, end: float, first_line: int,
               extra: dict) -> list[Turn]:
    pieces: list[dict] = []
    for voice, text, offset in _spans(raw_lines):
        if voice is not None:
            pieces.append({"label": voice, "text": clean_text(text), "line": first_line + offset})
            continue
        # no voice span: "Name: text" lines, one turn per label
        for sub_offset, sub in enumerate(text.split("\n")):
            label, rest = split_label(clean_text(sub))
            if label is not None or not pieces:
                pieces.append({"label": label or UNKNOWN, "text": rest,
                               "line": first_line + offset + sub_offset})
            else:
                pieces[-1]["text"] = f"{pieces[-1]['text']} {rest}".strip()
    return [Turn(speaker="other", label=p["label"], text=p["text"], start=start, end=end,
                 line=p["line"], extra=dict(extra)) for p in pieces if p["text"]]


def load(text: str, path: Path, options: LoadOptions) -> list[Transcript]:
    stripped = text.lstrip("\ufeff \t\r\n")
    skipped = len(_LINE_BREAK.findall(text[:len(text) - len(stripped)]))
    text = stripped
    if not text.startswith("WEBVTT"):
        first = text.splitlines()[0].strip()[:60] if text.strip() else ""
        raise LoadError(f"not a WebVTT file: the first line must start with WEBVTT, found {first!r}")
    lines = _LINE_BREAK.split(text)
    cues = _cue_timings(lines, skipped)
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except Exception as exc:  # webvtt-py: MalformedFileError, MalformedCaptionError
        raise LoadError(f"malformed WebVTT: {exc}") from exc
    if len(captions) != len(cues):
        raise LoadError(f"malformed WebVTT: found {len(cues)} cue timing lines but could read "
                        f"only {len(captions)} cues")
    turns: list[Turn] = []
    for caption, (timing_index, start, end) in zip(captions, cues):
        extra = {"cue": caption.identifier} if caption.identifier else {}
        # caption.lines are the raw cue lines (tags kept); voices are parsed here because
        # Caption.voice only reports the first span of the first line
        turns.extend(_cue_turns(list(caption.lines), start, end, timing_index + 2, extra))
    if not turns:
        raise LoadError("no cues with text found")
    return [Transcript(id=stem_id(path), turns=tuple(turns), source=str(path), format=NAME,
                       roles=RoleAssignment("pending"))]
