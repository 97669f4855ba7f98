"""What a run exercised of the contract: schema branches and keywords, limits at their edges,
ordering rules kept and broken, guarantees. Targets are derived from the spec alone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._core.pointer import escape as _escape
from ..generate.cases import Case
from ..generate.strategies import canonical
from ..spec.schemas import ecma_regex, json_type
from ..spec.types import Klass, Spec

_CONSTRAINTS = ("enum", "pattern", "maxLength", "minLength", "format", "required")


def _template(pointer: str, schema: dict[str, Any]) -> str:
    """A concrete JSON pointer folded onto the schema: items as *, open keys as <pattern>."""
    out, node = "", schema
    for token in pointer.split("/")[1:]:
        if token in node.get("properties", {}):
            out, node = f"{out}/{token}", node["properties"][token]
        elif token.isdigit() and "items" in node:
            out, node = f"{out}/*", node["items"]
        else:
            match = next(
                (p for p in node.get("patternProperties", {}) if ecma_regex(p).search(token)), None
            )
            if match is None:
                return f"{out}/?"
            out, node = f"{out}/<{match}>", node["patternProperties"][match]
    return out


@dataclass
class Coverage:
    """Targets (id -> what it means) and which of them the run hit."""

    targets: dict[str, str] = field(default_factory=dict)
    hit: set[str] = field(default_factory=set)

    def add(self, target: str, meaning: str) -> None:
        self.targets.setdefault(target, meaning)

    def percent(self) -> float:
        return (
            100.0 * len(self.hit & set(self.targets)) / len(self.targets) if self.targets else 100.0
        )

    def missed(self) -> list[str]:
        return sorted(t for t in self.targets if t not in self.hit)

    def report(self) -> str:
        lines = [
            f"contract coverage: {self.percent():.1f}% ({len(self.hit & set(self.targets))}/{len(self.targets)} targets)"
        ]
        lines += [f"  missed: {t}  ({self.targets[t]})" for t in self.missed()]
        return "\n".join(lines)


class CoverageRecorder:
    """Collects what generated cases exercised, for the describe methods a run uses."""

    def __init__(
        self, spec: Spec, methods: Iterable[str] | None = None, klass: Klass | None = None
    ) -> None:
        self.spec = spec
        self.methods = [m for m in spec.describes if methods is None or m.name in methods]
        self.schemas = {m.name: canonical(m.options_schema) for m in self.methods}
        self.coverage = Coverage()
        for m in self.methods:
            own = klass.named(m.klass_name) if m.klass and klass is not None else None
            names = own.attributes if own is not None else None
            self._schema_targets(m.name, self.schemas[m.name], "", m.klass, names)
            if m.klass and klass is not None and klass.named(m.klass_name) is not None:
                self.coverage.add(
                    f"{m.name}: invalid {m.klass}/<name> klass", "a custom attribute off the Klass"
                )
        for rule in spec.rules:
            self.coverage.add(f"rule {rule.id} kept", rule.text)
            self.coverage.add(f"rule {rule.id} broken", f"a call sequence that breaks: {rule.text}")
        for guarantee, text in spec.guarantees.items():
            self.coverage.add(f"guarantee {guarantee}", text)

    def _schema_targets(
        self,
        method: str,
        schema: dict[str, Any],
        at: str,
        klass_at: str | None = None,
        names: Any = None,
    ) -> None:
        """Targets for ``schema`` at ``at``; with a Klass, only what its names can reach."""
        add = self.coverage.add
        with_klass = names is not None and at == klass_at
        recurse = lambda sub, where: self._schema_targets(method, sub, where, klass_at, names)  # noqa: E731
        if "enum" in schema:
            for value in schema["enum"]:
                add(f"{method}: {at or '/'} = {value!r}", "every enum value")
        types = schema.get("type", [])
        if 1 < len(types) < 6:
            for kind in types:
                add(f"{method}: {at or '/'} is {kind}", "every type a value may take")
        if "maxLength" in schema:
            add(
                f"{method}: {at or '/'} at maxLength {schema['maxLength']}",
                "the size limit at its edge",
            )
        generate = schema.get("x-generate")
        if isinstance(generate, dict) and "digits" in generate:
            for n in generate["digits"]:
                add(f"{method}: {at or '/'} with {n} digits", "the digit limits at their edges")
        for keyword in _CONSTRAINTS:
            if keyword in schema:
                add(f"{method}: invalid {at or '/'} {keyword}", f"a value breaking {keyword}")
        if set(types) - {"null"} and set(types) != {
            "null",
            "boolean",
            "number",
            "string",
            "array",
            "object",
        }:
            add(f"{method}: invalid {at or '/'} type", "a value of another type")
        if schema.get("additionalProperties") is False:
            add(f"{method}: invalid {at}/? additionalProperties", "a key that is not allowed")
        if "pattern" in schema.get("propertyNames", {}) and not with_klass:  # a klass miss, then
            add(f"{method}: invalid {at}/? propertyNames", "a badly formed name")
        for key, sub in schema.get("properties", {}).items():
            add(f"{method}: {at}/{_escape(key)} given", "every property")
            recurse(sub, f"{at}/{_escape(key)}")
        for pattern, sub in schema.get("patternProperties", {}).items():
            if with_klass and not any(ecma_regex(pattern).search(n) for n in names):
                continue  # no attribute of the Klass has this kind: nothing can reach it
            add(
                f"{method}: {at}/<{pattern}> given",
                "every kind of open key (e.g. each custom suffix)",
            )
            recurse(sub, f"{at}/<{pattern}>")
        if "items" in schema:
            recurse(schema["items"], f"{at}/*")

    # --- recording -------------------------------------------------------------------------

    def record(self, guarantee: str, case: Case) -> None:
        hit = self.coverage.hit
        hit.add(f"guarantee {guarantee}")
        names = {m.name for m in self.methods}
        seen_login = False
        for step in case.steps:
            method = step.method or self.spec.target.name
            if method not in names:
                continue
            schema = self.schemas[method]
            if step.action in ("describe-invalid", "describe-unknown") and step.label:
                hit.add(self.invalid_target(method, step.label))
                continue
            for options in step.options if step.action == "overlap" else [step.options]:
                self._walk(method, schema, options, "")
            if step.action == "describe-before-start":
                hit.add("rule start-first broken")
            elif step.action == "login":
                seen_login = True
            elif step.action == "describe-during-login":
                hit.add("rule describe-after-login broken")
            elif seen_login and step.action.startswith("describe"):
                hit.add("rule describe-after-login kept")
        if any(s.action != "describe-before-start" for s in case.steps):
            hit.add("rule start-first kept")

    def invalid_target(self, method: str, label: Mapping[str, str]) -> str:
        """The target a labelled invalid payload of ``method`` hits."""
        keyword = label["keyword"]
        template = _template(label["pointer"], self.schemas[method])
        if keyword in ("additionalProperties", "propertyNames"):
            template = template.rsplit("/", 1)[0] + "/?"
        if keyword == "klass":
            template = template.rsplit("/", 1)[0] + "/<name>"
        return f"{method}: invalid {template or '/'} {keyword}"

    def _walk(self, method: str, schema: dict[str, Any], value: Any, at: str) -> None:
        hit = self.coverage.hit
        where = at or "/"
        if "enum" in schema:
            hit.add(f"{method}: {where} = {value!r}")
        kind = json_type(value)
        hit.add(f"{method}: {where} is {kind}")
        if kind == "number":
            hit.add(f"{method}: {where} is integer")
        if isinstance(value, str):
            if len(value) == schema.get("maxLength"):
                hit.add(f"{method}: {where} at maxLength {len(value)}")
            hit.add(f"{method}: {where} with {sum(c.isdigit() for c in value)} digits")
        if isinstance(value, dict):
            props = schema.get("properties", {})
            for key, sub_value in value.items():
                if key in props:
                    hit.add(f"{method}: {at}/{_escape(key)} given")
                    self._walk(method, props[key], sub_value, f"{at}/{_escape(key)}")
                    continue
                for pattern, sub in schema.get("patternProperties", {}).items():
                    if ecma_regex(pattern).search(key):
                        hit.add(f"{method}: {at}/<{pattern}> given")
                        self._walk(method, sub, sub_value, f"{at}/<{pattern}>")
                        break
        elif isinstance(value, list) and "items" in schema:
            for item in value:
                self._walk(method, schema["items"], item, f"{at}/*")
