"""JavaScript modules for the checks: broken ones say ``// breaks: <guarantee>`` on their first
line, and ``// timeout: S`` when their checks need that timeout to see the break."""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timeout_of(name: str, default: float = 1.0) -> float:
    """The timeout a module asks its checks for (``// timeout: S``), else ``default``."""
    found = re.search(r"^// timeout: ([\d.]+)$", (HERE / f"{name}.mjs").read_text(), re.M)
    return float(found.group(1)) if found else default
