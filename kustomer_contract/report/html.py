"""``check --report FILE``: the run as one self-contained HTML page.

The page needs nothing but itself (CSS and a few lines of JavaScript inline, no font, no
CDN; its Content-Security-Policy forbids every fetch), so a CI artifact opens anywhere. It
holds the table of verdicts; for each failure what was expected against what was observed
(with the JSON pointer the violation names, if any), the minimal case, and its calls drawn
on a time axis as the failing run made them (each call from made to returned, then a mark
where its callback or its Promise settled, the offending call marked); the full failure
text with its reproducers; and the contract's coverage.

Times come from the run (``Failure.timeline``, the monotonic clock of the checking process;
a JavaScript implementation's callbacks are timed when their message arrives). A failure
without them (built by other code) is drawn step by step, spaced by the case's drawn gaps,
and the legend says so.
"""

from __future__ import annotations

import html
import json
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from ..engine.results import Failure, GuaranteeResult
from .formats.base import TOOL, CheckRun, status_note, verdict_line
from .formats.base import escape_controls as _controls

__all__ = ["html_report", "violation_pointer"]


def _e(text: object) -> str:
    """Text for HTML: escaped, with what HTML cannot hold (NUL, lone surrogates) shown."""
    return html.escape(_controls(str(text)), quote=True)


def _anchor(guarantee: str) -> str:
    return "failure-" + re.sub(r"[^A-Za-z0-9_-]", "-", guarantee)


_POINTER = re.compile(r"(?<![\w/.:])(/[^\s:\"'(),;=]*)")


def violation_pointer(failure: Failure) -> str | None:
    """The JSON pointer a violation names: the refused part of invalid options (the step's
    label), else the first pointer its observed (then expected) text shows; None if none."""
    v = failure.violation
    steps = failure.case.steps
    if v.step is not None and 0 <= v.step < len(steps):
        label = steps[v.step].label
        if label and label.get("pointer"):
            return str(label["pointer"])
    for text in (v.observed, v.expected):
        found = _POINTER.search(text)
        if found and len(found.group(1)) > 1:
            return found.group(1)
    return None


# --- the timeline ------------------------------------------------------------------------------


@dataclass
class _Drawn:
    """One mark row: a call (or, unmeasured, a step) on the time axis, in ms from the first."""

    label: str  # the step it belongs to
    call: str
    began: float
    returned: float
    settled: list[float] = field(default_factory=list)
    callback: bool = True  # a callback (or a Promise / return) was expected
    hung: bool = False
    raised: bool = False
    step: int | None = None
    offending: bool = False


def _step_label(failure: Failure, step: int | None, first: bool) -> str:
    if step is None:  # start, or a read that checks what calls before start did
        return "start" if first else "check"
    steps = failure.case.steps
    action = steps[step].action if 0 <= step < len(steps) else "?"
    return f"step {step + 1} · {action}"


def _measured(failure: Failure) -> list[_Drawn]:
    calls = list(failure.timeline)
    if not calls:
        return []
    t0 = min(c.began for c in calls)
    out = []
    started = False
    for c in calls:
        first = c.step is None and not started
        started = started or first
        out.append(
            _Drawn(
                _step_label(failure, c.step, first),
                c.call,
                (c.began - t0) * 1000,
                (c.returned - t0) * 1000,
                [(at - t0) * 1000 for at in c.settled],
                c.probe is not None,
                c.hung,
                c.raised,
                c.step,
            )
        )
    _mark_offending(out, failure)
    return out


def _mark_offending(drawn: list[_Drawn], failure: Failure) -> None:
    """The call the violation names, at its step (the first such: the first violation of a
    guarantee is the one reported); else every call of its step."""
    v = failure.violation
    for match in (
        lambda d: d.call == v.call and d.step == v.step,
        lambda d: d.call == v.call,
    ):
        for d in drawn:
            if match(d):
                d.offending = True
                return
    for d in drawn:  # a violation of the step as a whole (e.g. "3 overlapping ... calls")
        if d.step == v.step:
            d.offending = True


def _whole_step(drawn: list[_Drawn], failure: Failure) -> bool:
    """Whether the violation names no single call, so its step's calls are all marked."""
    return not any(d.offending and d.call == failure.violation.call for d in drawn)


def _unmeasured(failure: Failure) -> list[_Drawn]:
    """The case's steps in order, spaced by their drawn gaps (1 ms apart otherwise)."""
    at, out = 0.0, [_Drawn("start", "start", 0.0, 0.0, callback=False)]
    for i, step in enumerate(failure.case.steps):
        at += 1.0 + step.gap_ms
        method = step.method or "describe"
        out.append(
            _Drawn(
                _step_label(failure, i, False),
                f"{method} ({step.action})",
                at,
                at,
                callback=False,
                step=i,
                offending=i == failure.violation.step,
            )
        )
    if failure.violation.step is None:
        out[0].offending = True
    return out


def _nice_step(span: float) -> float:
    raw = span / 6
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def _ms(value: float, step: float) -> str:
    decimals = 0 if step >= 1 else min(3, math.ceil(-math.log10(step)))
    return f"{value:.{decimals}f} ms"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


ROW, TOP, STEP_W, CALL_W, PLOT_W, RIGHT = 24, 34, 130, 260, 560, 24


def _svg(drawn: list[_Drawn], measured: bool) -> str:
    ends = [d.returned for d in drawn] + [t for d in drawn for t in d.settled]
    span = max(max(ends, default=0.0), 0.001)
    left = STEP_W + CALL_W
    width = left + PLOT_W + RIGHT
    height = TOP + ROW * len(drawn) + 8

    def x(t: float) -> float:
        return round(left + PLOT_W * t / span, 2)

    parts = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'data-measured="{str(measured).lower()}" data-calls="{len(drawn)}">',
        "<title>the failing run's calls on a time axis</title>",
    ]
    tick = _nice_step(span)
    n = 0
    while n * tick <= span * 1.0001:
        at = x(n * tick)
        parts.append(
            f'<line class="tick" x1="{at}" y1="{TOP - 6}" x2="{at}" y2="{height - 4}"/>'
            f'<text class="tick-label" x="{at}" y="{TOP - 12}">{_e(_ms(n * tick, tick))}</text>'
        )
        n += 1
    band = 0
    for i, d in enumerate(drawn):
        y = TOP + ROW * i
        mid = y + ROW / 2
        if i and d.step != drawn[i - 1].step:
            band += 1
        classes = "call offending" if d.offending else "call"
        title = f"{d.label}: {d.call}\nmade at {d.began:.3f} ms, returned at {d.returned:.3f} ms"
        if d.settled:
            title += "\ncalled back at " + ", ".join(f"{t:.3f} ms" for t in d.settled)
        elif d.callback:
            title += "\nnever called back"
        step_attr = "" if d.step is None else str(d.step)
        parts.append(
            f'<g class="{classes}" data-index="{i}" data-step="{step_attr}">'
            f"<title>{_e(title)}</title>"
            f'<rect class="band band-{band % 2}{" offending-row" if d.offending else ""}" x="0" '
            f'y="{y}" width="{width}" height="{ROW}"/>'
            f'<text class="step-label" x="6" y="{mid + 4}">{_e(_short(d.label, 20))}</text>'
            f'<text class="call-label" x="{STEP_W}" y="{mid + 4}">{_e(_short(d.call, 40))}</text>'
        )
        x0, x1 = x(d.began), x(d.returned)
        parts.append(
            f'<rect class="call-mark{" hung" if d.hung else ""}{" raised" if d.raised else ""}" '
            f'x="{x0 - 1.5}" y="{mid - 6}" width="{max(3.0, x1 - x0 + 3)}" height="12" rx="2"/>'
        )
        if d.raised:
            parts.append(f'<text class="raised-mark" x="{x1 + 5}" y="{mid + 4}">raised</text>')
        if d.settled:
            parts.append(
                f'<line class="wait" x1="{x1}" y1="{mid}" x2="{x(d.settled[0])}" y2="{mid}"/>'
            )
            for k, t in enumerate(d.settled):
                extra = " again" if k else ""
                parts.append(f'<circle class="settle-mark{extra}" cx="{x(t)}" cy="{mid}" r="5"/>')
        elif d.callback and not d.hung and measured:
            parts.append(
                f'<line class="wait never" x1="{x1}" y1="{mid}" x2="{left + PLOT_W}" y2="{mid}"/>'
                f'<text class="missing-mark" x="{left + PLOT_W + 4}" y="{mid + 4}">✕</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _legend(measured: bool) -> str:
    if measured:
        how = (
            "Times as the failing run measured them (the checking process's monotonic clock; "
            "a JavaScript implementation's callbacks are timed when their message arrives), "
            "in ms from the first call."
        )
    else:
        how = (
            "Times were not recorded for this failure: the case's steps are drawn in order, "
            "1 ms apart plus the gap the case drew before each step (gap_ms)."
        )
    return (
        '<p class="legend"><span class="key call-key"></span> a call, from made to returned '
        '<span class="key settle-key"></span> its callback (or Promise) came '
        '<span class="key again-key"></span> it came again '
        '<span class="key wait-key"></span> waiting for it '
        '<span class="key offending-key"></span> the call that broke the guarantee. '
        f"{_e(how)}</p>"
    )


# --- the sections ------------------------------------------------------------------------------


def _table(run: CheckRun) -> str:
    rows = []
    for r in run.results:
        name = _e(r.guarantee)
        if r.failure is not None:
            name = f'<a href="#{_anchor(r.guarantee)}">{name}</a>'
        shown = "n/a" if r.status == "not-checkable" else r.status
        rows.append(
            f'<tr class="status-{_e(r.status)}" data-status="{_e(r.status)}">'
            f"<td>{name}</td>"
            f'<td><span class="verdict">{_e(shown)}</span></td>'
            f'<td class="num">{r.cases}</td><td class="num">{r.seconds:.2f}</td>'
            f"<td>{_e(run.spec.guarantees.get(r.guarantee, ''))}"
            + (f'<div class="note">{_e(status_note(r))}</div>' if status_note(r) else "")
            + "</td></tr>"
        )
    return (
        '<label class="filter"><input type="checkbox" id="only-not-passed"> show only the '
        "guarantees not passed</label>"
        '<table id="results"><thead><tr><th>guarantee</th><th>result</th><th>cases</th>'
        "<th>seconds</th><th>what it says</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _failure(run: CheckRun, r: GuaranteeResult) -> str:
    f = r.failure
    assert f is not None
    v = f.violation
    where = "start" if v.step is None else f"step {v.step + 1} of {len(f.case.steps)}"
    pointer = violation_pointer(f)
    drawn = _measured(f)
    measured = bool(drawn)
    drawn = drawn or _unmeasured(f)
    steps = []
    for i, step in enumerate(f.case.steps):
        mark = ' class="offending-step"' if i == v.step else ""
        gap = f", after a {step.gap_ms} ms gap" if step.gap_ms else ""
        body = json.dumps(step.to_json(), indent=1, ensure_ascii=False, default=repr)
        steps.append(f"<li{mark}><b>{_e(step.action)}</b>{_e(gap)}<pre>{_e(body)}</pre></li>")
    tokens = f.case.to_json().get("tokens") or []
    notes = []
    if f.shrink_stopped:
        notes.append("shrinking stopped before the end: the case may not be minimal")
    if f.case.races:
        notes.append(
            "calls of this case are in flight together, so a run may not show it every time"
        )
    return f"""
<section class="failure" id="{_anchor(r.guarantee)}">
  <h3>FAILED <code>{_e(r.guarantee)}</code></h3>
  <p class="says">{_e(run.spec.guarantees.get(r.guarantee, ""))}</p>
  <dl class="facts">
    <dt>call</dt><dd><code class="offending-call">{_e(v.call)}</code> ({_e(where)})</dd>
    {f'<dt>JSON pointer</dt><dd><code class="pointer">{_e(pointer)}</code></dd>' if pointer else ""}
    <dt>replay</dt><dd><code class="replay">{_e(run.replay(r.guarantee))}</code>
      <button type="button" class="copy">copy</button></dd>
  </dl>
  <div class="versus">
    <div class="expected"><h4>expected</h4><p>{_e(v.expected)}</p></div>
    <div class="observed"><h4>observed</h4><p>{_e(v.observed)}</p></div>
  </div>
  {"".join(f'<p class="note">{_e(n)}</p>' for n in notes)}
  <h4>the minimal call sequence, on a time axis</h4>
  <div class="timeline-box">{_svg(drawn, measured)}</div>
  {f'<p class="note whole-step">{_e(_whole_step_note(v.step))}</p>' if _whole_step(drawn, f) else ""}
  {_legend(measured)}
  <details><summary>the case ({_steps(len(f.case.steps))} after start)</summary>
    {f"<p>login tokens: <code>{_e(json.dumps(tokens, ensure_ascii=False, default=repr))}</code></p>" if tokens else ""}
    <ol class="steps">{"".join(steps)}</ol></details>
  <details><summary>what the calls returned (transcript)</summary>
    <pre class="transcript">{_e(chr(10).join(f.transcript))}</pre></details>
  <details><summary>the failure as text, with its reproducers (JavaScript, Python, pytest)</summary>
    <pre class="failure-text">{_e(run.failure_text(r))}</pre></details>
</section>"""


def _steps(n: int) -> str:
    return f"{n} step" if n == 1 else f"{n} steps"


def _whole_step_note(step: int | None) -> str:
    where = "the checks after start" if step is None else f"step {step + 1}"
    return f"the violation concerns {where} as a whole: each of its calls is marked"


def _coverage(run: CheckRun) -> str:
    cov = run.contract_coverage()
    targets: dict[str, str] = dict(getattr(cov, "targets", {}))
    missed = cov.missed()
    hit = len(targets) - len(missed) if targets else 0
    percent = cov.percent()
    missed_items = "".join(
        f"<li><code>{_e(t)}</code> {_e(targets.get(t, ''))}</li>" for t in missed
    )
    every = "".join(
        f'<li class="{"missed" if t in missed else "hit"}"><code>{_e(t)}</code> {_e(meaning)}</li>'
        for t, meaning in sorted(targets.items())
    )
    return f"""
<section id="coverage">
  <h2>Coverage of the contract</h2>
  <p><b class="percent">{percent:.1f}%</b> of the targets derived from the spec were exercised
  ({hit} of {len(targets)}).</p>
  <div class="bar"><div style="width:{min(100.0, max(0.0, percent)):.1f}%"></div></div>
  {f'<h4>missed</h4><ul class="missed-list">{missed_items}</ul>' if missed else "<p>nothing missed.</p>"}
  <details><summary>every target</summary><ul class="targets">{every}</ul></details>
  <details><summary>as text</summary><pre>{_e(cov.report())}</pre></details>
</section>"""


_CSS = """
:root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --err: #8250df; --na: #6e7781;
  --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
  max-width: 1120px; padding: 20px 28px 60px; color: #1f2328; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { margin-top: 36px; font-size: 18px; }
h3 { font-size: 16px; margin: 0 0 4px; } h4 { margin: 14px 0 6px; font-size: 13px; }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px;
  overflow: auto; max-height: 480px; white-space: pre-wrap; word-break: break-word; }
.banner { padding: 10px 14px; border-radius: 6px; font-weight: 600; margin: 12px 0; }
.banner.holds { background: #dafbe1; color: var(--ok); }
.banner.broken { background: #ffebe9; color: var(--bad); }
.meta { color: #57606a; margin: 0; padding-left: 18px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left;
  vertical-align: top; }
th { background: var(--soft); } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { font-weight: 600; border-radius: 10px; padding: 1px 8px; color: #fff; }
.status-passed .verdict { background: var(--ok); } .status-failed .verdict { background: var(--bad); }
.status-blocked .verdict { background: var(--warn); } .status-error .verdict { background: var(--err); }
.status-not-checkable .verdict { background: var(--na); }
.note { color: #57606a; font-size: 12px; }
.filter { display: block; margin: 8px 0; color: #57606a; }
table.only-not-passed tr[data-status="passed"] { display: none; }
.failure { border: 1px solid var(--line); border-left: 4px solid var(--bad); border-radius: 6px;
  padding: 14px 16px; margin: 18px 0; }
.says { color: #57606a; margin: 0 0 8px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 8px 0; }
.facts dt { color: #57606a; } .facts dd { margin: 0; word-break: break-word; }
.versus { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.versus > div { border-radius: 6px; padding: 6px 12px; word-break: break-word; }
.versus h4 { margin: 4px 0; } .versus p { margin: 4px 0; font-family: ui-monospace, monospace;
  font-size: 12px; }
.expected { background: #dafbe1; } .observed { background: #ffebe9; }
.timeline-box { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
svg.timeline { display: block; font: 11px ui-monospace, monospace; }
svg .band-0 { fill: #fff; } svg .band-1 { fill: var(--soft); }
svg .offending-row { fill: #ffebe9; }
svg .tick { stroke: #eaeef2; } svg .tick-label { fill: #57606a; text-anchor: middle; }
svg .step-label { fill: #57606a; } svg .call-label { fill: #1f2328; }
svg .call-mark { fill: #0969da; } svg .call-mark.hung { fill: var(--warn); }
svg .call-mark.raised { fill: var(--err); }
svg .offending .call-mark { fill: var(--bad); stroke: #82071e; stroke-width: 1.5; }
svg .offending .call-label { fill: var(--bad); font-weight: 700; }
svg .wait { stroke: #8c959f; stroke-dasharray: 3 3; } svg .wait.never { stroke: var(--bad); }
svg .settle-mark { fill: #fff; stroke: var(--ok); stroke-width: 2.5; }
svg .settle-mark.again { stroke: var(--bad); fill: #ffebe9; }
svg .missing-mark, svg .raised-mark { fill: var(--bad); font-weight: 700; }
.legend { color: #57606a; font-size: 12px; }
.key { display: inline-block; width: 14px; height: 10px; vertical-align: middle; margin: 0 3px 0 10px; }
.call-key { background: #0969da; border-radius: 2px; }
.settle-key { border: 2.5px solid var(--ok); border-radius: 50%; width: 11px; height: 11px; }
.again-key { border: 2.5px solid var(--bad); border-radius: 50%; width: 11px; height: 11px; }
.wait-key { border-top: 2px dashed #8c959f; height: 0; }
.offending-key { background: var(--bad); border-radius: 2px; }
.steps li.offending-step > b { color: var(--bad); }
.steps pre { margin: 2px 0 8px; }
button.copy { font-size: 11px; margin-left: 6px; cursor: pointer; }
.bar { height: 12px; background: #eaeef2; border-radius: 6px; overflow: hidden; max-width: 480px; }
.bar > div { height: 100%; background: var(--ok); }
.targets li.missed code { color: var(--bad); }
footer { margin-top: 40px; color: #8c959f; font-size: 12px; }
"""

_JS = """
document.getElementById('only-not-passed').addEventListener('change', function (e) {
  document.getElementById('results').classList.toggle('only-not-passed', e.target.checked);
});
document.querySelectorAll('button.copy').forEach(function (button) {
  button.addEventListener('click', function () {
    var text = button.parentElement.querySelector('code').textContent;
    if (navigator.clipboard) { navigator.clipboard.writeText(text); }
    button.textContent = 'copied';
  });
});
"""

# Nothing may be fetched: the page is whole by itself (an artifact opened offline).
_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def html_report(run: CheckRun) -> str:
    """The whole page for a finished run."""
    s = run.session
    failed = run.failed
    banner = (
        '<div class="banner holds">the contract holds</div>'
        if not failed
        else f'<div class="banner broken">{len(failed)} guarantee(s) not kept</div>'
    )
    # The first line of the text header is the page's title.
    header = "".join(f"<li>{_e(line.strip())}</li>" for line in run.header()[1:])
    s_ = run.settings
    header += (
        f"<li>{len(s.guarantees)} guarantees, {s_.max_examples} cases each, seed {s.seed}, "
        f"binding {_e(s.binding.name)}</li>"
    )
    failures = "".join(_failure(run, r) for r in run.results if r.failure is not None)
    page_errors: Counter[str] = getattr(s.driver, "page_errors", None) or Counter()
    errors = ""
    if page_errors:
        items = "".join(
            f"<li>{times} × <code>{_e(text)}</code></li>"
            for text, times in page_errors.most_common(20)
        )
        errors = f"<h2>The page's uncaught errors</h2><ul>{items}</ul>"
    title = f"{TOOL} check: {s.impl} against spec {s.spec.name}"
    written = time.strftime("%Y-%m-%d %H:%M:%S %z")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>{_e(title)}</h1>
<ul class="meta">{header}<li>timeout {s_.timeout:g} s, grace {s_.grace:g} s</li></ul>
{banner}
<p class="verdict-line">{_e(verdict_line(run))}</p>
<h2>Guarantees</h2>
{_table(run)}
{f"<h2>Failures</h2>{failures}" if failures else ""}
{errors}
{_coverage(run)}
<footer>written by {TOOL} check on {_e(written)}</footer>
<script>{_JS}</script>
</body>
</html>
"""
