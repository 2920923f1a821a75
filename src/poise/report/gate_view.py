"""The gate verdict on the terminal (stderr): what broke it, call by call, with file:line."""

from __future__ import annotations

from typing import Any, Mapping

from rich.markup import escape

from . import console


def render(gate: Mapping[str, Any]) -> None:
    err = console(stderr=True)
    for f in gate["failures"]:
        where = f["source"] + (f":{f['line']}" if f.get("line") else "")
        call = f" [{f['call']}]" if f.get("call") else ""
        err.print(f"[red]FAIL[/] {escape(where)}{escape(call)}: {escape(f['message'])}", highlight=False,
                  soft_wrap=True)
    verdict = "[green]gate passed[/]" if gate["passed"] else "[red]gate failed[/]"
    err.print(f"{verdict}: {escape(gate['summary'])}", highlight=False, soft_wrap=True)
