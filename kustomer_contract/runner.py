"""Where every printed regression test imports ``replay_case`` from (the engine's runner)."""

from .engine.runner import CaseResult, check_guarantee, replay_case

__all__ = ["CaseResult", "check_guarantee", "replay_case"]
