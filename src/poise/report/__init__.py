"""Report writers: one module per output format. Printing happens here, through one Console."""

from __future__ import annotations

import os
import sys
from functools import lru_cache

from rich.console import Console


@lru_cache(maxsize=None)
def console(stderr: bool = False) -> Console:
    """The one Console for stdout (reports) and one for stderr (progress, warnings, errors)."""
    return Console(stderr=stderr, highlight=False, soft_wrap=False,
                   no_color=bool(os.environ.get("NO_COLOR")) or None,
                   file=sys.stderr if stderr else None)
