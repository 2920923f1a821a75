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
        from spacy.lookups import Lookups
        lookups = Lookups()
        lookups.add_table("lemma_lookup", lemma_table())
        lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        lemmatizer.initialize(lookups=lookups)
    return nlp


def has_parser(nlp: "Language") -> bool:
    return nlp.has_pipe("parser") or any(
        getattr(pipe, "is_trainable", False) and name.endswith("parser") for name, pipe in nlp.pipeline)
