"""Rules: YAML schema, validation with file:line errors, compilation to spaCy matchers."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

from .loader import RuleErrors, load_rules
from .model import CATEGORIES, Rule

__all__ = ["CATEGORIES", "Rule", "RuleErrors", "default_rules_dir", "load_rules", "select_rules",
           "load_ruleset"]


def default_rules_dir() -> Path:
    """The shipped rule packs (``poise/packs`` in the wheel, ``rules/`` in a source checkout)."""
    try:
        return Path(str(resources.files("poise.packs")))
    except ModuleNotFoundError:  # editable install from a checkout: the folder itself
        return Path(__file__).resolve().parents[3] / "rules"


def select_rules(rules: Iterable[Rule], only: Sequence[str] = (), disable: Sequence[str] = ()) -> list[Rule]:
    """Keep rules named by ``--only`` (ids, id prefixes or categories), drop ``--disable`` ones."""
    def named(rule: Rule, names: Sequence[str]) -> bool:
        return any(rule.id == n or rule.id.startswith(n + ".") or rule.category == n for n in names)
    return [r for r in rules if (not only or named(r, only)) and not named(r, disable)]


def load_ruleset(extra_dirs: Sequence[Path] = (), *, defaults: bool = True, only: Sequence[str] = (),
                 disable: Sequence[str] = (), cache: bool = True) -> list[Rule]:
    """The default packs (unless ``defaults=False``) and ``extra_dirs``, filtered by only/disable.
    ``cache``: reuse rule files that loaded cleanly before (rules/cache.py; content-addressed)."""
    from .cache import RuleCache
    folders = ([default_rules_dir()] if defaults else []) + [Path(d) for d in extra_dirs]
    return select_rules(load_rules(folders, RuleCache.default() if cache else None), only, disable)
