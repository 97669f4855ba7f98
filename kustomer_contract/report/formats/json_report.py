"""One JSON document (``--json``): the run, each verdict, each failure with its case and
reproducers, the coverage if asked."""

from __future__ import annotations

import json

from .base import CheckReport, CheckRun

__all__ = ["JsonReport"]


class JsonReport(CheckReport):
    def finish(self, run: CheckRun) -> None:
        self.say(json.dumps(run.document(), indent=2, ensure_ascii=False))
