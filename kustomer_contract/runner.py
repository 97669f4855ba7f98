"""Where every printed regression test imports ``replay_case`` from (the engine's runner)."""

from .engine.results import CaseResult
from .engine.search import check_guarantee, replay_case

__all__ = ["CaseResult", "check_guarantee", "replay_case"]
