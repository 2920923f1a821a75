"""Genesys Cloud speech-and-text-analytics transcript JSON (the conversation transcript export).

Shape (abridged; field names as Genesys writes them)::

    {"organizationId": "...", "conversationId": "5f3c...", "communicationId": "9d1e...",
     "recordingId": "...", "mediaType": "call", "conversationStartTime": 1709647331000,
     "transcripts": [
       {"transcriptId": "...", "language": "en-us", "engineProvider": "GENESYS",
        "phrases": [
          {"text": "thank you for calling how can i help",
           "decoratedText": "Thank you for calling, how can I help?",
           "stability": 100, "confidence": 0.93, "startTimeMs": 1709647331420,
           "duration": {"milliseconds": 2310}, "participantPurpose": "internal",
           "phraseIndex": 0,
           "words": [{"word": "thank", "confidence": 0.97, "startTimeMs": 1709647331420,
                      "duration": {"milliseconds": 200}}, ...]}]}]}

One turn per phrase (no merging). ``participantPurpose``: internal -> agent, external ->
customer, anything else (ivr, acd, ...) -> other; the label keeps the purpose as written.
The text is ``decoratedText`` when present (cased and punctuated), else ``text``.
``startTimeMs`` is epoch milliseconds in real exports, so times are seconds from the earliest
phrase start. Word timings go to ``extra["words"]`` as ``[start, end, word]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import LoadError
from ..transcript import Role, RoleAssignment, Transcript, Turn
from .common import LoadOptions, kind, object_list, optional_str, required_str, stem_id, word_objects

NAME = "genesys"

ROLE_MAP: dict[str, Role] = {"internal": "agent", "external": "customer"}
METADATA_KEYS = ("conversationId", "communicationId", "recordingId", "mediaType",
                 "conversationStartTime")
_MARKS = ("conversationId", "communicationId", "mediaType")


def matches(data: Any) -> bool:
    """A ``transcripts`` key next to Genesys ids, or a ``transcripts`` list with ``phrases``."""
    if not isinstance(data, dict) or "transcripts" not in data:
        return False
    if any(key in data for key in _MARKS):
        return True
    transcripts = data["transcripts"]
    return isinstance(transcripts, list) and any(
        isinstance(t, dict) and "phrases" in t for t in transcripts)


def load_data(data: Any, path: Path, options: LoadOptions) -> list[Transcript]:
    phrases = list(_phrases(data.get("transcripts")))
    starts = [_number(phrase, "startTimeMs", where) for where, phrase in phrases]
    origin = min((s for s in starts if s is not None), default=None)
    turns = [turn for where, phrase in phrases
             if (turn := _turn(phrase, where, origin)) is not None]
    if all(t.start is not None for t in turns):
        turns.sort(key=lambda t: t.start or 0.0)  # several transcripts (transfers) interleave
    metadata: dict[str, Any] = {key: data[key] for key in METADATA_KEYS
                                if data.get(key) is not None}
    language = _language(data.get("transcripts"))
    if language:
        metadata["language"] = language
    conversation_id = data.get("conversationId")
    call_id = (conversation_id if isinstance(conversation_id, str) and conversation_id.strip()
               else stem_id(path))
    return [Transcript(id=call_id, turns=tuple(turns), metadata=metadata, source=str(path),
                       format=NAME, roles=RoleAssignment("source"))]


def _phrases(transcripts: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(where, phrase)`` for every phrase of every transcript, checking the containers."""
    if not isinstance(transcripts, list):
        raise LoadError(f"transcripts should be a list, not {kind(transcripts)}")
    for t_index, transcript in enumerate(transcripts):
        where = f"transcripts[{t_index}]"
        if not isinstance(transcript, dict):
            raise LoadError(f"{where} should be an object, not {kind(transcript)}")
        yield from object_list(transcript, "phrases", where, required=True)


def _turn(phrase: dict[str, Any], where: str, origin: float | None) -> Turn | None:
    raw_text = required_str(phrase, "text", where)
    text = (optional_str(phrase, "decoratedText", where) or "").strip() or raw_text.strip()
    purpose = required_str(phrase, "participantPurpose", where)
    if not text:
        return None
    start = _relative(_number(phrase, "startTimeMs", where), origin)
    duration = _duration(phrase, where)
    end = round(start + duration, 3) if start is not None and duration is not None else None
    extra: dict[str, Any] = {}
    words = _words(phrase, where, origin)
    if words:
        extra["words"] = words
    confidence = phrase.get("confidence")
    if isinstance(confidence, (int, float)) and not isinstance(confidence, bool):
        extra["confidence"] = confidence
    return Turn(speaker=ROLE_MAP.get(purpose.strip().lower(), "other"), label=purpose,
                text=text, start=start, end=end, extra=extra)


def _words(phrase: dict[str, Any], where: str, origin: float | None) -> list[list[Any]]:
    out = []
    for at, word in word_objects(phrase, where):
        token = required_str(word, "word", at)
        start = _relative(_number(word, "startTimeMs", at), origin)
        duration = _duration(word, at)
        if start is not None and duration is not None:
            out.append([start, round(start + duration, 3), token])
    return out


def _number(obj: dict[str, Any], key: str, where: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LoadError(f"{where}.{key} should be a number of milliseconds, not {kind(value)}")
    return value


def _relative(millis: float | None, origin: float | None) -> float | None:
    if millis is None or origin is None:
        return None
    return round((millis - origin) / 1000, 3)


def _duration(obj: dict[str, Any], where: str) -> float | None:
    """``duration: {"milliseconds": N}`` in seconds."""
    duration = obj.get("duration")
    if duration is None:
        return None
    if not isinstance(duration, dict):
        raise LoadError(f"{where}.duration should be an object, not {kind(duration)}")
    value = _number(duration, "milliseconds", f"{where}.duration")
    return None if value is None else value / 1000


def _language(transcripts: list[Any]) -> str | None:
    for transcript in transcripts:
        language = transcript.get("language")
        if isinstance(language, str) and language:
            return language
    return None
