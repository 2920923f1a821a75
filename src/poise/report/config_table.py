"""``poise config show``: every setting, its effective value, and where it came from."""

from __future__ import annotations

from typing import Any, Mapping

from rich.markup import escape
from rich.table import Table

from . import console


def render(cfg: Any, settings: Mapping[str, tuple[str, Any, str]]) -> None:
    source = str(cfg.path) if cfg.path else "no poise.yaml or [tool.poise] found: defaults"
    table = Table(title=escape(f"Effective configuration ({source})"), title_justify="left")
    for column in ("setting", "value", "from", "meaning"):
        table.add_column(column, overflow="fold")
    for key, (_, _, meaning) in settings.items():
        setting = cfg.settings[key]
        value = setting.value
        shown = "—" if value in (None, [], {}) else (", ".join(map(str, value)) if isinstance(value, list) else str(value))
        table.add_row(key, escape(shown), escape(setting.origin), escape(meaning))
    console().print(table)
