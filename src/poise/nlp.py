"""Building the spaCy pipeline, in one place.

Default: ``spacy.blank("en")`` + sentencizer (+ a lookup lemmatizer from the English table we
ship, when a rule matches on LEMMA). No download ever happens: ``--model NAME`` loads a trained
pipeline only if it is already installed, and it only adds what rules with dependency patterns
need (a parser).
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from .errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """The English lookup lemma table shipped in the wheel (from spacy-lookups-data, MIT)."""
    with resources.files("poise").joinpath("data/en_lemma_lookup.json.gz").open("rb") as fh:
        return json.loads(gzip.decompress(fh.read()))


def build_pipeline(model: str | None = None, lemmas: bool = True) -> "Language":
    """Build the pipeline once per process; see the module docstring."""
    import spacy

    if model:
        try:
            nlp = spacy.load(model)
        except OSError as exc:
            raise UsageError(f"spaCy pipeline {model!r} is not installed; install it with pip first "
                             f"(poise never downloads models at run time)") from exc
        if not nlp.has_pipe("parser") and not nlp.has_pipe("senter") and not nlp.has_pipe("sentencizer"):
            nlp.add_pipe("sentencizer")
        return nlp
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    if lemmas:
        _register_lemmatizer()
        nlp.add_pipe("poise_lookup_lemmatizer")
    return nlp


class LookupLemmatizer:
    """spaCy's lookup lemmatizer (lemma = table[token.text], else the text), done per Doc with
    arrays: the lemma of each distinct word form is looked up once per process and kept by its
    ORTH id, so a Doc costs one dict lookup per token instead of a Python call per Token."""

    def __init__(self, vocab, table: dict[str, str]) -> None:
        import numpy
        from spacy.attrs import LEMMA, ORTH

        self.strings = vocab.strings
        self.table = table
        self.cache: dict[int, int] = {}
        self._array, self._lemma_attr, self._orth_attr = numpy.array, [LEMMA], ORTH

    def _lemma(self, orth: int) -> int:
        text = self.strings[orth]
        lemma = self.cache[orth] = self.strings.add(self.table.get(text, text))
        return lemma

    def __call__(self, doc):
        if len(doc):
            cache, lemma = self.cache, self._lemma
            lemmas = [cache.get(orth) or lemma(orth) for orth in doc.to_array(self._orth_attr).tolist()]
            doc.from_array(self._lemma_attr, self._array(lemmas, dtype="uint64").reshape(-1, 1))
        return doc


def _register_lemmatizer() -> None:
    from spacy.language import Language

    if not Language.has_factory("poise_lookup_lemmatizer"):
        Language.factory("poise_lookup_lemmatizer",
                         func=lambda nlp, name: LookupLemmatizer(nlp.vocab, lemma_table()))


def has_parser(nlp: "Language") -> bool:
    return nlp.has_pipe("parser") or any(
        getattr(pipe, "is_trainable", False) and name.endswith("parser") for name, pipe in nlp.pipeline)
