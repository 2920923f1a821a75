"""CSV and TSV transcripts: one row per turn, with a header row.

::

    call_id,speaker,start,end,text,agent,queue
    C-1001,Agent,0.0,3.2,"Thank you for calling Northwind, this is Dana.",Dana,Billing
    C-1001,Customer,3.6,6.0,Hi. I was charged twice.,Dana,Billing

The delimiter is a comma, tab, semicolon or pipe (tab for ``.tsv``), picked as the one that
splits the header into a recognised text column. Columns are found by header name
(case-insensitive; spaces and hyphens count as underscores):

- text: text, utterance, transcript, content, message, line, sentence (required);
- speaker: speaker, role, participant, participant_role, speaker_role, party, channel, who;
- start: start, start_time, begin, begin_time, start_seconds, offset, timestamp;
- end: end, end_time, stop, end_seconds;
- call id: call_id, conversation_id, contact_id, id, call.

``--csv-columns`` (``LoadOptions.csv_columns``, ours -> theirs, e.g. ``text=Utterance``)
overrides any of them. Times are seconds (``12.5``), ``HH:MM:SS(.mmm)`` / ``MM:SS``, or
milliseconds when the column name ends in ``_ms`` (``start_ms``).

With a call id column, one file holds many calls: rows are grouped by id, calls in order of
first appearance (a row with an empty id belongs to the call of the row above). An auto-detected
column named just ``id`` whose value differs on every row is read as a row id instead (with a
warning). Without a call id, the file is one call whose id is the file name.

Other columns go into the call's metadata when they hold one value per call (agent, team,
queue, date...; empty cells ignored), and into each turn's ``extra`` otherwise.

Roles: when the speaker values are roles (agent, customer, other, any case) the roles come from
the file (``roles.method == "source"``). When the speaker column holds names and another
speaker-like column (role, participant_role...) holds roles, labels come from the first and
roles from the second. Otherwise labels are resolved later (aliases, ``--agent`` or the
reported heuristic). Without a speaker column, a ``Name: text`` prefix in the text gives the
label; a row with no label continues the previous speaker.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LoadError
from ..transcript import Role, RoleAssignment, Transcript, Turn
from .common import LoadOptions, parse_timestamp, stem_id
from .srt import UNKNOWN, split_label

NAME = "csv"

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "speaker": ("speaker", "role", "participant", "participant_role", "speaker_role", "party",
                "channel", "who"),
    "text": ("text", "utterance", "transcript", "content", "message", "line", "sentence"),
    "start": ("start", "start_time", "begin", "begin_time", "start_seconds", "offset",
              "timestamp"),
    "end": ("end", "end_time", "stop", "end_seconds"),
    "id": ("call_id", "conversation_id", "contact_id", "id", "call"),
}
_OVERRIDE_KEYS = {"speaker": "speaker", "text": "text", "start": "start", "end": "end",
                  "id": "id", "call_id": "id"}
_DELIMITERS = ",\t;|"
_ROLE_VALUES: dict[str, Role] = {"agent": "agent", "customer": "customer", "other": "other"}


def _norm(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def _base(name: str) -> str:
    """The header name without an ``_ms`` unit suffix."""
    norm = _norm(name)
    return norm[:-3] if norm.endswith("_ms") else norm


def _is_ms(name: str) -> bool:
    return _norm(name).endswith("_ms")


def _first_record(head: str, delimiter: str) -> list[str]:
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                return row
    except csv.Error:
        return []
    return []


def _find_named(header: list[str], wanted: str) -> int | None:
    """The column a user named: exact header match first, then ignoring case/spacing."""
    if wanted in header:
        return header.index(wanted)
    stripped = [h.strip() for h in header]
    if wanted.strip() in stripped:
        return stripped.index(wanted.strip())
    norms = [_norm(h) for h in header]
    return norms.index(_norm(wanted)) if _norm(wanted) in norms else None


def _find_recognised(header: list[str], ours: str) -> int | None:
    bases = [_base(h) for h in header]
    for candidate in COLUMN_NAMES[ours]:
        if candidate in bases:
            return bases.index(candidate)
    return None


def _has_text_column(header: list[str], overrides: dict[str, str]) -> bool:
    if len(header) < 2:
        return False
    if "text" in overrides:
        return _find_named(header, overrides["text"]) is not None
    return _find_recognised(header, "text") is not None


def _candidates(head: str, path: Path) -> list[str]:
    if path.suffix.lower() == ".tsv":
        return ["\t", *_DELIMITERS.replace("\t", "")]
    first: list[str] = []
    try:
        first = [csv.Sniffer().sniff(head, delimiters=_DELIMITERS).delimiter]
    except csv.Error:
        pass
    return list(dict.fromkeys([*first, *_DELIMITERS]))


def _pick_delimiter(head: str, path: Path, overrides: dict[str, str]) -> str | None:
    for delimiter in _candidates(head, path):
        if _has_text_column(_first_record(head, delimiter), overrides):
            return delimiter
    return None


def sniff(path: Path, head: str) -> bool:
    if path.suffix.lower() in (".csv", ".tsv"):
        return True
    first_line = head.split("\n", 1)[0]
    if not any(d in first_line for d in _DELIMITERS):
        return False
    return _pick_delimiter(head, path, {}) is not None


def _overrides(options: LoadOptions) -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in (options.csv_columns or {}).items():
        ours = _OVERRIDE_KEYS.get(str(key).strip().lower())
        if ours is None:
            raise LoadError(f"unknown --csv-columns name {key!r}; use speaker, text, start, end "
                            "or id (for example --csv-columns text=Utterance)")
        result[ours] = str(value)
    return result


@dataclass
class _Columns:
    header: list[str]
    text: int
    speaker: int | None = None
    role: int | None = None
    start: int | None = None
    end: int | None = None
    id: int | None = None
    id_overridden: bool = False
    extras: list[int] = field(default_factory=list)

    def name(self, index: int) -> str:
        return self.header[index].strip() or f"column {index + 1}"


def _columns(header: list[str], overrides: dict[str, str]) -> _Columns:
    found: dict[str, int | None] = {}
    for ours in ("text", "speaker", "start", "end", "id"):
        if ours in overrides:
            index = _find_named(header, overrides[ours])
            if index is None:
                raise LoadError(f"--csv-columns {ours}={overrides[ours]}: no such column; header "
                                f"has {', '.join(h.strip() for h in header)}")
            found[ours] = index
        else:
            found[ours] = _find_recognised(header, ours)
    if found["text"] is None:
        raise LoadError(f"no text column: header has {', '.join(h.strip() for h in header)}; "
                        "name one with --csv-columns text=COLUMN")
    cols = _Columns(header=header, text=found["text"], speaker=found["speaker"],
                    start=found["start"], end=found["end"], id=found["id"],
                    id_overridden="id" in overrides)
    used = {i for i in found.values() if i is not None}
    cols.extras = [i for i in range(len(header)) if i not in used]
    return cols


def _read_rows(text: str, delimiter: str, width: int) -> list[tuple[int, list[str]]]:
    """Rows after the header as (1-based line where the row starts, fields)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    header_seen = False
    previous = 0
    try:
        for fields in reader:
            line, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in fields):
                continue
            if not header_seen:
                header_seen = True
                continue
            if len(fields) < width:
                raise LoadError(f"line {line}: row has {len(fields)} field(s) but the header has "
                                f"{width}")
            if any(cell.strip() for cell in fields[width:]):
                raise LoadError(f"line {line}: row has {len(fields)} fields but the header has "
                                f"{width} (quote fields that contain {delimiter!r})")
            rows.append((line, fields[:width]))
    except csv.Error as exc:
        raise LoadError(f"line {reader.line_num}: malformed CSV: {exc}") from exc
    return rows


def _time(value: str, line: int, column: str, ms: bool) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        if ":" in value:
            if any(int(re.split(r"[.,]", part)[0] or 0) > 59 for part in value.split(":")[1:]):
                raise ValueError(value)
            seconds = parse_timestamp(value)
        else:
            number = value[:-1] if value.endswith("s") else value
            if re.fullmatch(r"\d+,\d+", number):  # decimal comma
                number = number.replace(",", ".")
            seconds = float(number) * (0.001 if ms else 1.0)
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(value)
    except ValueError:
        raise LoadError(f"line {line}: bad time {value!r} in column {column!r}; expected seconds "
                        "(12.5), HH:MM:SS(.mmm), or milliseconds in a column whose name ends in "
                        "_ms") from None
    return round(seconds, 6)


def _role_column(cols: _Columns, rows: list[tuple[int, list[str]]]) -> int | None:
    """A speaker-like column whose every value is a role (agent, customer, other)."""
    bases = [_base(h) for h in cols.header]
    candidates = [cols.speaker] if cols.speaker is not None else []
    candidates += [i for i, b in enumerate(bases) if b in COLUMN_NAMES["speaker"]
                   and i not in candidates and i in cols.extras]
    for index in candidates:
        values = {fields[index].strip().lower() for _, fields in rows}
        if values and values <= set(_ROLE_VALUES):
            return index
    return None


def _group(cols: _Columns, rows: list[tuple[int, list[str]]],
           path: Path) -> tuple[list[tuple[str, list[tuple[int, list[str]]]]], list[str]]:
    warnings: list[str] = []
    if cols.id is None:
        return [(stem_id(path), rows)], warnings
    ids = [fields[cols.id].strip() for _, fields in rows]
    if (not cols.id_overridden and _norm(cols.header[cols.id]) == "id" and len(rows) > 1
            and len(set(ids)) == len(ids)):
        warnings.append(f"column {cols.name(cols.id)!r} has a different value on every row, so it "
                        "was read as a row id, not a call id; use --csv-columns "
                        f"id={cols.name(cols.id)} to group rows by it")
        cols.extras = sorted([*cols.extras, cols.id])
        cols.id = None
        return [(stem_id(path), rows)], warnings
    groups: dict[str, list[tuple[int, list[str]]]] = {}
    current: str | None = None
    for (line, fields), call_id in zip(rows, ids):
        if call_id:
            current = call_id
        elif current is None:
            raise LoadError(f"line {line}: empty call id in column {cols.name(cols.id)!r}")
        groups.setdefault(current, []).append((line, fields))
    return list(groups.items()), warnings


def _one_call(call_id: str, rows: list[tuple[int, list[str]]], cols: _Columns, path: Path,
              warnings: list[str]) -> Transcript:
    metadata: dict[str, str] = {}
    per_turn: list[int] = []
    for index in cols.extras:
        values = {fields[index].strip() for _, fields in rows} - {""}
        if len(values) == 1:
            metadata[cols.name(index)] = values.pop()
        elif values:
            per_turn.append(index)
    role_col = cols.role
    turns: list[Turn] = []
    label = UNKNOWN
    for line, fields in rows:
        text = " ".join(fields[cols.text].split())
        if cols.speaker is not None:
            label = fields[cols.speaker].strip() or label
        else:
            found, text = split_label(text)
            label = found or label
        if not text:
            continue
        speaker: Role = "other"
        if role_col is not None:
            speaker = _ROLE_VALUES[fields[role_col].strip().lower()]
        start = end = None
        if cols.start is not None:
            start = _time(fields[cols.start], line, cols.name(cols.start),
                          _is_ms(cols.header[cols.start]))
        if cols.end is not None:
            end = _time(fields[cols.end], line, cols.name(cols.end), _is_ms(cols.header[cols.end]))
        extra = {cols.name(i): fields[i].strip() for i in per_turn if fields[i].strip()}
        turns.append(Turn(speaker=speaker, label=label, text=text, start=start, end=end,
                          line=line, extra=extra))
    roles = RoleAssignment("source") if role_col is not None else RoleAssignment("pending")
    return Transcript(id=call_id, turns=tuple(turns), metadata=metadata, source=str(path),
                      format=NAME, roles=roles, warnings=tuple(warnings))


def load(text: str, path: Path, options: LoadOptions) -> list[Transcript]:
    overrides = _overrides(options)
    head = text[:8192]
    delimiter = _pick_delimiter(head, path, overrides)
    if delimiter is None:
        # report the header as the most likely delimiter splits it
        delimiter = max(_candidates(head, path), key=lambda d: len(_first_record(head, d)))
    header = _first_record(text, delimiter)
    if not header:
        raise LoadError("no header row found")
    cols = _columns(header, overrides)
    rows = _read_rows(text, delimiter, len(header))
    if not rows:
        raise LoadError("no rows after the header")
    cols.role = _role_column(cols, rows)
    if cols.role is not None and cols.role != cols.speaker and cols.role in cols.extras:
        cols.extras.remove(cols.role)
    groups, warnings = _group(cols, rows, path)
    return [_one_call(call_id, call_rows, cols, path, warnings) for call_id, call_rows in groups]
