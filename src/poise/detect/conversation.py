"""Conversation detectors: behaviours no phrase list can see, because they depend on what the
other speaker said. Each is used by a rule with ``detector: NAME`` (see ``rules.model.DETECTORS``).

- ``reflection``: the agent restates content words (lemmas, numbers, names) of the customer's
  previous turn: at least ``min_shared`` shared content words covering ``min_share`` of the
  customer's content words, in a sentence framed as a restatement ("so ...", "you said", a
  question back) or as an acknowledgement of the customer's situation ("that must be so hard",
  "no wonder you're annoyed": an empathy statement that repeats their details is listening too).
- ``repeat-request``: the agent asks for a detail (order/account number, email, phone number,
  name, date of birth) that the customer already gave earlier in the call. Asking to confirm or
  verify ("just to confirm, is it 4417?") is not a repeat request.
- ``customer-name``: the agent addresses the customer by a name the customer gave ("my name is
  Ana Ruiz") or that the call's metadata names. (A title and surname, "Mr. Okafor", is a plain
  pattern rule in the courtesy pack.)
- ``missing-next-steps`` (call level): the agent committed to an action (an ownership credit)
  but the call has no next-steps finding: the customer leaves not knowing what happens next.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator, Sequence

from ..rules.model import Rule
from ..transcript import Transcript
from .finding import Candidate, Finding
from .text import CleanText

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span

CALL_LEVEL = frozenset({"missing-next-steps"})

_NOT_CONTENT = frozenset({
    "yes", "yeah", "yep", "okay", "ok", "hi", "hello", "thanks", "thank", "please", "sir", "ma'am",
    "madam", "right", "sure", "just", "really", "actually", "like", "know", "get", "got", "want",
    "need", "call", "calling", "today", "help", "going", "thing", "things", "something", "way",
    "gonna", "wanna", "alright", "well", "also", "still", "tell", "said", "say", "make", "let",
    "pii", "good", "great", "sorry", "time", "able", "look", "see",
})


#: Contact-centre nouns and the verbs customers use for them ("I paid" / "your payment"), so a
#: restatement in the other word form counts: the lookup lemmatizer does not derive.
_DERIVED = {"payment": "pay", "shipment": "ship", "replacement": "replace", "delivery": "deliver",
            "cancellation": "cancel", "renewal": "renew", "installation": "install", "billing": "bill",
            "booking": "book", "reservation": "reserve", "arrival": "arrive", "failure": "fail",
            "disconnection": "disconnect", "activation": "activate"}

#: spaCy lists number words ("three", "twenty") as stop words; in a restatement they are the
#: details ("three calls", "twenty years"). "one" is mostly a pronoun ("the new one").
_NOT_NUMBER = frozenset({"one", "ones"})


def _content(doc: "Doc") -> dict[str, list[int]]:
    """Content words of a Doc (lemma or lower-case form) -> token positions.

    Read from the Doc's ORTH and LEMMA arrays; what a (word, lemma) pair counts as is worked out
    once per process (``_content_key``), so no Token object is made per word."""
    out: dict[str, list[int]] = {}
    cache, vocab = _CONTENT_KEYS, doc.vocab
    for i, (orth, lemma) in enumerate(doc.to_array(["ORTH", "LEMMA"]).tolist()):
        pair = (orth, lemma)
        if pair in cache:
            key = cache[pair]
        else:
            key = cache[pair] = _content_key(vocab, orth, lemma)
        if key is not None:
            out.setdefault(key, []).append(i)
    return out


_CONTENT_KEYS: dict[tuple[int, int], str | None] = {}


def clear_caches() -> None:
    """Forget the per-process word caches (they grow with the vocabulary; Scorer.refresh)."""
    _CONTENT_KEYS.clear()


def _content_key(vocab, orth: int, lemma: int) -> str | None:
    """The content word a token with this form and lemma stands for, or None."""
    lex = vocab[orth]
    if lex.is_punct or lex.is_space:
        return None
    if lex.is_stop and not (lex.like_num and lex.lower_ not in _NOT_NUMBER):
        return None
    key = ((vocab.strings[lemma] if lemma else "") or lex.lower_).lower()
    key = _DERIVED.get(key, key)
    text = lex.orth_
    has_digit = any(ch.isdigit() for ch in text)
    if not (has_digit and len(text) >= 2 or lex.is_alpha and len(key) > 2) or key in _NOT_CONTENT:
        return None
    return key


_REFLECTING = re.compile(r"^\W*(?:so|okay,? so|ok,? so|and so|right,? so|got it|so basically|basically)\b|"
                         r"\b(?:got it|you said|you mentioned|you're saying|you were|you weren't|you've been|"
                         r"you haven't|you had|you got)\b|\?\s*$|\bright\s*\W*$", re.I)
# an acknowledgement of the customer's situation or feeling: an empathy frame that restates
# their details ("A week with no hot water and two little ones, that must be so hard")
_ACKNOWLEDGING = re.compile(
    r"\b(?:that|this|it)(?:'s| is| was| sounds| must be| must have been| would be| seems)\s+(?:\w+\s+){0,2}?"
    r"(?:frustrating|exhausting|stressful|hard|tough|difficult|awful|terrible|disappointing|annoying|upsetting"
    r"|scary|worrying|rough|frightening|maddening|infuriating|unacceptable|a lot|a pain|too many|too much|a long time)\b"
    r"|\b(?:sounds|must be|must have been) (?:so |really |very )?(?:frustrating|exhausting|stressful|hard|tough"
    r"|difficult|awful|terrible|disappointing|annoying|upsetting|scary|worrying|rough)\b"
    r"|\bno wonder you\b|\bmakes? (?:total |complete )?sense (?:that )?you\b|\bi hear you\b|\bi get it\b"
    r"|\bi (?:can |completely |totally |really )?(?:understand|imagine|see) (?:how|why|what|you're|you are|your)\b"
    r"|\bwhat a\b|\bof all\b"
    r"|^\W*(?:oh no|oh dear|oh man|oh gosh|yikes|ugh|oof|ouch)\b|\bi'd (?:feel|be) the same\b", re.I)
_ACTING = re.compile(r"\b(?:i|we)\s*(?:'ll|will|can|could|'d(?! feel| be (?:upset|frustrated|annoyed|angry))"
                     r"|would(?! feel)|'m going|am going|need|set|ca)\b|"
                     r"\blet me\b|\bwould it help\b|\bthere (?:is|are)\b|^\W*so,? yeah\b|\bwhile i\b|"
                     r"\bthat's (?:pretty much |basically )?how\b", re.I)


def _previous_customer(transcript: Transcript, index: int) -> int | None:
    for j in range(index - 1, -1, -1):
        speaker = transcript.turns[j].speaker
        if speaker == "customer":
            return j
        if speaker != "agent":
            return None
    return None


def reflection(rule_index: int, rule: Rule, transcript: Transcript, docs: Sequence["Doc"],
               cleaned: Sequence[CleanText]) -> Iterator[Candidate]:
    min_shared, min_share = int(rule.params["min_shared"]), rule.params["min_share"]
    contents: dict[int, dict[str, list[int]]] = {}  # a customer turn answered by several agent turns
    for i, turn in enumerate(transcript.turns):
        if turn.speaker != "agent":
            continue
        j = _previous_customer(transcript, i)
        if j is None:
            continue
        if j not in contents:
            contents[j] = _content(docs[j])
        theirs = contents[j]
        ours = contents[i] = _content(docs[i])
        shared = set(theirs) & set(ours)
        if len(shared) < min_shared or len(shared) / max(1, len(theirs)) < min_share:
            continue
        positions = sorted(p for word in shared for p in ours[word])
        sents = [s for s in docs[i].sents if any(s.start <= p < s.end for p in positions)]
        best = max(sents, key=lambda s: sum(s.start <= p < s.end for p in positions))
        # a reflection is addressed back to the customer ("so you...", "got it", a question) or
        # acknowledges their situation ("that must be so hard"), not an answer that happens to
        # reuse their words ("I can close the account"); every sentence with the restated words
        # counts ("Okay, the 20th. And the amount was forty dollars?")
        if (not any(_REFLECTING.search(s.text) or _ACKNOWLEDGING.search(s.text) for s in sents)
                or _ACTING.search(best.text)):
            continue
        inside = [p for p in positions if best.start <= p < best.end] or positions
        yield _candidate(rule_index, i, turn.text, cleaned[i], docs[i][inside[0]:inside[-1] + 1])


# -- repeat-request ------------------------------------------------------------------------------
_NUMBER_NOUN = r"(?:order|account|reference|confirmation|case|ticket|tracking|member(?:ship)?|policy|claim|booking|invoice|serial)"
_GIVEN = {
    "number": re.compile(rf"\b{_NUMBER_NOUN}\s*(?:number|no\.?|#|id)?\s*(?:is|was|it's|:)?\s*(?:\[PII\]|[A-Z]{{0,4}}-?\d[\d -]{{2,}}\d)"
                         r"|\b\d{5,}\b|\b[A-Z]{2,4}-\d{3,}\b", re.I),
    "email": re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b|\bemail (?:address )?is\b|\bat (?:gmail|yahoo|outlook|hotmail) dot com\b", re.I),
    "phone": re.compile(r"\b(?:\d{3}[-. ]\d{3}[-. ]\d{4}|\(\d{3}\)\s*\d{3}-\d{4})\b|\b(?:phone|cell|mobile) number is\b", re.I),
    "name": re.compile(r"\b(?i:my name is|my name's|this is)\s+(?:\[PII\]|[A-Z][a-z]+)"),
    "date of birth": re.compile(r"\b(?:date of birth is|born on|birthday is|dob is)\b", re.I),
}
_ASK = re.compile(
    r"\b(?:what(?:'s| is| was)|can i (?:get|have)|could i (?:get|have)|may i (?:get|have)|can you (?:give|tell|provide)"
    r"|could you (?:give|tell|provide)|would you (?:give|tell|provide)|do you have|i(?:'ll| will) need|i need"
    r"|please (?:give|tell|provide))\b[^.?!]{0,30}?\b(?:your|the)\s+"
    r"(?P<what>" + _NUMBER_NOUN + r"\s*(?:number|no\.?|#|id)|e-?mail(?: address)?|(?:phone|cell|mobile|contact) number"
    r"|(?:full |first |last )?name|date of birth|birthday|dob)\b", re.I)
_CONFIRMING = re.compile(r"\b(?:confirm|verify|double[- ]check|read (?:it|that) back|make sure|is that|correct|right\?)", re.I)


def _asked_kind(what: str) -> str:
    what = what.lower()
    if "mail" in what:
        return "email"
    if any(w in what for w in ("phone", "cell", "mobile", "contact")):
        return "phone"
    if "name" in what:
        return "name"
    if any(w in what for w in ("birth", "dob")):
        return "date of birth"
    return "number"


def repeat_request(rule_index: int, rule: Rule, transcript: Transcript, docs: Sequence["Doc"],
                   cleaned: Sequence[CleanText]) -> Iterator[Candidate]:
    given: dict[str, int] = {}
    for i, turn in enumerate(transcript.turns):
        if turn.speaker == "customer":
            for kind, pattern in _GIVEN.items():
                if kind not in given and pattern.search(cleaned[i].text):
                    given[kind] = i
        elif turn.speaker == "agent" and given:
            text = cleaned[i].text
            for m in _ASK.finditer(text):
                kind = _asked_kind(m.group("what"))
                sentence_end = re.search(r"[.?!]|$", text[m.end():])
                tail = text[m.end(): m.end() + (sentence_end.start() if sentence_end else 0)]
                if kind in given and not _CONFIRMING.search(text[max(0, m.start() - 40):m.end()] + tail):
                    span = docs[i].char_span(m.start(), m.end(), alignment_mode="expand")
                    if span is not None:
                        yield _candidate(rule_index, i, turn.text, cleaned[i], span)
                    break


# -- customer-name -------------------------------------------------------------------------------
_INTRO = re.compile(r"\b(?i:my name is|my name's|this is|name is)\s+([A-Z][a-z]+)(?:\s+([A-Z][a-z'-]+))?")


def customer_name(rule_index: int, rule: Rule, transcript: Transcript, docs: Sequence["Doc"],
                  cleaned: Sequence[CleanText]) -> Iterator[Candidate]:
    names: set[str] = set()
    for key in ("customer", "customer_name", "caller"):
        value = transcript.metadata.get(key)
        if isinstance(value, str):
            names.update(w for w in value.split() if w[:1].isupper() and len(w) > 1)
    for i, turn in enumerate(transcript.turns):
        text = cleaned[i].text
        if turn.speaker == "customer":
            for m in _INTRO.finditer(text):
                names.update(n for n in m.groups() if n)
            continue
        if turn.speaker != "agent":
            continue
        found = None
        if names:
            found = re.search(r"\b(?:" + "|".join(map(re.escape, sorted(names))) + r")\b", text)
            if found and _INTRO.search(text[max(0, found.start() - 12):found.end()]):
                found = None  # the agent introducing someone called the same, not addressing
        if found:
            span = docs[i].char_span(found.start(), found.end(), alignment_mode="expand")
            if span is not None:
                yield _candidate(rule_index, i, turn.text, cleaned[i], span)


# -- call level ----------------------------------------------------------------------------------
def missing_next_steps(rule: Rule, findings: Sequence[Finding], n_turns: int) -> list[Finding]:
    committed = [f for f in findings if f.category == "ownership" and f.polarity == "credit"]
    explained = any(f.category == "next-steps" and f.polarity == "credit" for f in findings)
    if not committed or explained:
        return []
    first = committed[0]
    return [Finding(rule=rule.id, category=rule.category, polarity="deduction", severity=rule.severity,
                    turn=None, speaker="agent", start=None, end=None,
                    text=f"committed at turn {first.turn}: {first.text!r}",
                    message=rule.message, tip=rule.tip, kind="missing", link=rule.link)]


TURN_DETECTORS = {"reflection": reflection, "repeat-request": repeat_request,
                  "customer-name": customer_name}


def _candidate(rule_index: int, turn: int, original: str, cleaned: CleanText, span: "Span") -> Candidate:
    start = cleaned.original(span.start_char)
    end = cleaned.original(span.end_char - 1) + 1
    return Candidate(rule_index, turn, span.start, span.end, start, end, original[start:end])
