"""JUnit XML, which CI systems show as test results: a testcase per guarantee.

A failed guarantee has a ``<failure>`` whose text is the whole failure report (reproducers
included); a blocked one, or one not checkable through the binding's surface, is
``<skipped>`` with the reason; one whose check could not run is an ``<error>``. What XML 1.0
cannot hold (an implementation can put anything in a response) is shown escaped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .base import TOOL, CheckReport, CheckRun, counts, escape_controls, status_note

__all__ = ["JunitReport"]


def _x(text: object) -> str:
    return escape_controls(str(text))


class JunitReport(CheckReport):
    def finish(self, run: CheckRun) -> None:
        self.out.write(document(run))


def document(run: CheckRun) -> str:
    """The JUnit XML of a run, whole."""
    s, settings = run.session, run.settings
    tally = counts(run.results)
    failures = tally.get("failed", 0)
    errors = tally.get("error", 0)
    skipped = tally.get("blocked", 0) + tally.get("not-checkable", 0)
    totals = {
        "tests": str(len(run.results)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": str(skipped),
        "time": f"{run.seconds:.3f}",
    }
    classname = _x(f"{TOOL}.{s.spec.name}")
    root = ET.Element("testsuites", {"name": _x(f"{TOOL} check ({s.spec.name})"), **totals})
    suite = ET.SubElement(root, "testsuite", {"name": classname, **totals})
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("impl", s.impl),
        ("spec", s.spec.name),
        ("binding", s.binding.name),
        ("klass", settings.klass),
        ("seed", s.seed),
        ("max_examples", settings.max_examples),
        ("timeout", f"{settings.timeout:g}"),
        ("grace", f"{settings.grace:g}"),
    ):
        if value is not None:
            ET.SubElement(properties, "property", name=name, value=_x(value))
    for r in run.results:
        case = ET.SubElement(
            suite, "testcase", classname=classname, name=_x(r.guarantee), time=f"{r.seconds:.3f}"
        )
        if r.failure is not None:
            v = r.failure.violation
            failure = ET.SubElement(
                case,
                "failure",
                type=_x(r.guarantee),
                message=_x(f"expected {v.expected}; observed {v.observed}"),
            )
            failure.text = _x(run.failure_text(r))
        elif r.status == "error":
            error = ET.SubElement(case, "error", type="error", message=_x(r.error or "error"))
            error.text = _x(status_note(r))
        elif r.status in ("blocked", "not-checkable"):
            ET.SubElement(case, "skipped", message=_x(status_note(r)))
        elif not r.kept:  # a status this writer does not know yet: never shown as a pass
            ET.SubElement(case, "failure", type=_x(r.status), message=_x(r.status))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
