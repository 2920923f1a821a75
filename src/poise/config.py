"""Project configuration: ``poise.yaml`` in the working directory, or ``[tool.poise]`` in
pyproject.toml. Command-line flags override it; ``poise config show`` prints the effective value
of every setting and where it came from.

Paths in a config file are relative to that file's folder.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError
from .rules.model import SEVERITIES
from .rules.yamlsource import line_of, load_yaml

CONFIG_NAMES = ("poise.yaml", "poise.yml", ".poise.yaml")

#: setting -> (kind, default, help)
SETTINGS: dict[str, tuple[str, Any, str]] = {
    "rules": ("paths", [], "extra rule folders (same ids override the shipped rules)"),
    "scorecard": ("path", None, "scorecard YAML (default: the shipped one)"),
    "only": ("strings", [], "keep only these rule ids, prefixes or categories"),
    "disable": ("strings", [], "drop these rule ids, prefixes or categories"),
    "default_rules": ("bool", True, "load the shipped rule packs"),
    "model": ("string", None, "an installed trained spaCy pipeline"),
    "aliases": ("aliases", {}, "speaker label -> role (agent, customer, other)"),
    "agent": ("string", None, "the agent's speaker label"),
    "include": ("strings", [], "globs of files to read in folders"),
    "exclude": ("strings", [], "globs of files to skip"),
    "input_format": ("string", None, "force an input format"),
    "max_file_size": ("string", "50MB", "skip larger files"),
    "redact": ("bool", True, "mask personal data in outputs"),
    "group_by": ("string", None, "aggregate reports by this metadata key"),
    "fail_under": ("number", None, "check: fail when a call scores below this"),
    "fail_on": ("severity", None, "check: fail on a deduction of this severity or worse"),
    "max_drop": ("number", None, "check: fail when a call's score drops more than this below the baseline"),
    "baseline": ("path", None, "check: a JSON report to compare against"),
    "ignore": ("ignores", {}, "file glob -> rule ids to suppress in those files (reported as suppressed)"),
    "workers": ("integer", None, "worker processes (default: number of cores)"),
}


@dataclass(frozen=True)
class Setting:
    value: Any
    origin: str


@dataclass(frozen=True)
class Config:
    settings: Mapping[str, Setting]
    path: Path | None = None

    def get(self, key: str) -> Any:
        return self.settings[key].value

    def with_cli(self, **given: Any) -> "Config":
        """Override with command-line values that were actually given (None / [] mean not given)."""
        settings = dict(self.settings)
        for key, value in given.items():
            if value is None or (isinstance(value, (list, tuple)) and not value):
                continue
            settings[key] = Setting(value, f"--{key.replace('_', '-')}")
        return Config(settings, self.path)


def defaults() -> dict[str, Setting]:
    return {key: Setting(default, "default") for key, (_, default, _) in SETTINGS.items()}


def find_config(cwd: Path | None = None) -> Path | None:
    cwd = Path(cwd or Path.cwd())
    for name in CONFIG_NAMES:
        if (cwd / name).is_file():
            return cwd / name
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        import tomllib
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read pyproject.toml: {exc}", str(pyproject)) from exc
        if "poise" in data.get("tool", {}):
            return pyproject
    return None


def load_config(cwd: Path | None = None, path: Path | None = None) -> Config:
    """The effective configuration before command-line flags."""
    path = path or find_config(cwd)
    settings = defaults()
    if path is None:
        return Config(settings)
    if path.name == "pyproject.toml":
        import tomllib
        raw = tomllib.loads(path.read_text(encoding="utf-8"))["tool"]["poise"]
        origin = f"{path.name} [tool.poise]"
    else:
        raw = load_yaml(path) or {}
        origin = path.name
    if not isinstance(raw, Mapping):
        raise ConfigError("the configuration must be a mapping of setting: value", str(path), 1)
    problems = []
    for key, value in raw.items():
        line, column = line_of(raw, key)
        where = f"{origin}:{line}" if line else origin
        if key not in SETTINGS:
            close = difflib.get_close_matches(key, list(SETTINGS), n=1, cutoff=0.6)
            problems.append(ConfigError(f"unknown setting {key!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
                                        + f"; settings are: {', '.join(SETTINGS)}", str(path), line, column))
            continue
        try:
            settings[key] = Setting(_convert(key, value, path.parent), where)
        except ValueError as exc:
            problems.append(ConfigError(f"{key}: {exc}", str(path), line, column))
    if problems:
        from .rules import RuleErrors
        raise RuleErrors(problems)
    return Config(settings, path)


def _convert(key: str, value: Any, base: Path) -> Any:
    kind = SETTINGS[key][0]
    if kind == "paths":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            raise ValueError("expected a folder or a list of folders")
        return [str((base / v).resolve()) for v in items]
    if kind == "path":
        if not isinstance(value, str):
            raise ValueError("expected a file path")
        return str((base / value).resolve())
    if kind == "strings":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            raise ValueError("expected a list of names")
        return list(items)
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError("expected true or false")
        return value
    if kind in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError("expected a number of at least 0")
        return int(value) if kind == "integer" else float(value)
    if kind == "severity":
        if value not in SEVERITIES:
            raise ValueError(f"expected one of {', '.join(SEVERITIES)}")
        return value
    if kind == "aliases":
        if not isinstance(value, Mapping) or not all(v in ("agent", "customer", "other") for v in value.values()):
            raise ValueError("expected label: role pairs, with role agent, customer or other")
        return {str(k): v for k, v in value.items()}
    if kind == "ignores":
        if not isinstance(value, Mapping):
            raise ValueError("expected file-glob: [rule ids]")
        out = {}
        for glob, ids in value.items():
            ids = [ids] if isinstance(ids, str) else ids
            if not isinstance(ids, list):
                raise ValueError(f"ignore[{glob!r}] must be a list of rule ids")
            out[str(glob)] = [str(i) for i in ids]
        return out
    if kind == "string":
        if not isinstance(value, (str, int, float)):
            raise ValueError("expected a text value")
        return str(value)
    raise ValueError(f"unsupported setting kind {kind}")  # pragma: no cover
