"""The report for people: the header at once, then the table, each failure with its
reproducers, the coverage if asked, and the verdict."""

from __future__ import annotations

from .base import CheckReport, CheckRun, verdict_line

__all__ = ["TextReport"]


class TextReport(CheckReport):
    shows_progress = True

    def start(self, run: CheckRun) -> None:
        for line in run.header():
            self.say(line)

    def interrupted(self, run: CheckRun) -> None:
        if run.results:
            self.say(run.table())

    def finish(self, run: CheckRun) -> None:
        self.say(run.table())
        for r in run.results:
            if r.failure:
                self.say()
                self.say(run.failure_text(r))
        if run.coverage:
            self.say()
            self.say(run.contract_coverage().report())
        page_errors = run.session.driver.page_errors
        if page_errors:  # often why a callback never came: the page's script threw first
            self.say(f"\nthe page's scripts threw {sum(page_errors.values())} uncaught error(s):")
            for text, times in page_errors.most_common(5):
                self.say(f"  {times} x {text}")
        self.say(f"\n{verdict_line(run)}")
