"""format_overuse: the fine-tune's output format showing up where it does not belong.

An output is *in format* when any of the suite's detectors matches:
``json_schema`` (the output, a fenced code block, or the first balanced
``{...}`` object in it parses as JSON and validates), ``regex`` (``re.search``)
or ``prefix`` (the stripped output starts with it). Suite regexes run
time-bounded (:mod:`.patterns`); schema ``$ref`` never leaves the schema.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterator, Mapping

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.exceptions import NoSuchResource
from referencing.exceptions import Unresolvable as ReferencingError

from ..errors import SuiteError
from .base import Answer, CaseOutcome, Family, MetricSpec, mean_metric
from .patterns import search

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)


def _json_candidates(text: str) -> Iterator[str]:
    yield text.strip()
    for m in _FENCE.finditer(text):
        yield m.group(1).strip()
    start = text.find("{")
    while start != -1:
        depth, in_str, esc = 0, False, False
        for i in range(start, len(text)):
            ch = text[i]
            if in_str:
                if esc:
                    esc = False
                elif ch == "\\":
                    esc = True
                elif ch == '"':
                    in_str = False
            elif ch == '"':
                in_str = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    yield text[start : i + 1]
                    break
        start = text.find("{", start + 1)


def _flags(names: Any) -> int:
    out = 0
    for name in names or ():
        out |= getattr(re, str(name))
    return out


def _no_retrieval(uri: str) -> Any:
    """The registry's fetcher: a suite's schema never reaches the network or the disk."""
    raise NoSuchResource(uri)


NO_RETRIEVAL: Registry[Any] = Registry(retrieve=_no_retrieval)  # type: ignore[call-arg]


def detect_format(text: str, fmt: Mapping[str, Any], *, suite_path: str = "<suite>", case_id: str = "?") -> tuple[bool, str]:
    """Return (in_format, why). Pure: the suite's ``format`` mapping decides.

    The regex runs time-bounded; ``$ref`` in the JSON Schema resolves only inside the schema
    (collection refuses other refs; the registry here refuses to fetch, as a second lock).
    """
    if "prefix" in fmt and text.lstrip().startswith(fmt["prefix"]):
        return True, f"starts with prefix {fmt['prefix']!r}"
    if "regex" in fmt:
        m = search(fmt["regex"], text, suite_path=suite_path, case_id=case_id, field="$.format.regex",
                   flags=_flags(fmt.get("flags")))
        if m:
            return True, f"regex {fmt['regex']!r} matched {m.group(0)[:40]!r}"
    if "json_schema" in fmt:
        validator = Draft202012Validator(fmt["json_schema"], registry=NO_RETRIEVAL)
        parsed_any = False
        for cand in _json_candidates(text):
            try:
                obj = json.loads(cand)
            except ValueError:
                continue
            parsed_any = True
            try:
                ok = validator.is_valid(obj)
            except (ReferencingError, RecursionError) as exc:
                raise SuiteError(
                    suite_path, f"format.json_schema cannot be applied: {type(exc).__name__}: {str(exc)[:200]}",
                    field="$.format.json_schema",
                    fix="make every $ref point inside the schema ('#/$defs/...') and avoid self-referencing aliases",
                ) from None
            if ok:
                return True, f"contains JSON matching the format schema: {cand[:60]!r}"
        if parsed_any:
            return False, "contains JSON, but it does not match the format schema"
    return False, "no format detector matched"


def _in_format(o: CaseOutcome, expect: bool) -> float | None:
    return float(o.data["in_format"]) if bool(o.data["expect_format"]) == expect else None


class FormatOveruse(Family):
    """Catches a format learned in fine-tuning spilling into answers that should be plain."""

    name = "format_overuse"

    def primary(self, role: str) -> str:
        """A target suite wants the format; a guardrail watches for it where it does not belong."""
        return "format_rate" if role == "target" else "overuse_rate"

    def requests(self, suite, case, adapter):  # type: ignore[no-untyped-def]
        """One generation per case."""
        from ..suite.requests import GenerateRequest

        return [GenerateRequest(case.prompt, case.settings, adapter)]

    def score(self, suite, case, answer: Answer) -> CaseOutcome:  # type: ignore[no-untyped-def]
        """Pass when the output is in the format exactly when the case expects it."""
        expect = bool(case.expect["expect_format"])
        in_format, why = detect_format(str(answer), suite.config["format"], suite_path=str(suite.path), case_id=case.id)
        passed = in_format == expect
        decision = "in format" if in_format else "not in format"
        want = "expected the format" if expect else "expected plain output (no format)"
        return CaseOutcome(passed, decision, f"{why}; {want}", {"expect_format": expect, "in_format": in_format})

    def metrics(self, suite) -> list[MetricSpec]:  # type: ignore[no-untyped-def]
        """Overuse where the format is unwanted, and format rate where it is wanted."""
        return [
            mean_metric(
                "overuse_rate", "lower",
                "share of expect_format=false cases whose output is in the format",
                lambda o: _in_format(o, False), binary=True,
            ),
            mean_metric(
                "format_rate", "higher",
                "share of expect_format=true cases whose output is in the format",
                lambda o: _in_format(o, True), binary=True,
            ),
        ]
