"""Suite-file validation against the JSON Schema, and errors a person can act on.

The schema says what a suite may hold; this module turns the first useful violation into a
:class:`SuiteError` naming the file (or the ``cases_from`` data file and row), the YAML line,
the field's JSON path and the fix. Split from :mod:`.cases`, which builds the ``Suite``.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..errors import SuiteError
from .parse import json_path, line_of

FAMILIES = ("format_overuse", "refusal", "label_collapse", "tone", "helpfulness")

FAMILY_CASE_KEYS: dict[str, frozenset[str]] = {
    "format_overuse": frozenset({"expect_format"}),
    "refusal": frozenset({"should_refuse"}),
    "label_collapse": frozenset({"label"}),
    "tone": frozenset({"max_words", "min_words", "required_phrases", "forbidden_phrases"}),
    "helpfulness": frozenset({"answers", "regex", "must_not_contain"}),
}
COMMON_CASE_KEYS = frozenset({"id", "prompt", "messages", "vars", "system", "max_new_tokens", "stop", "tags", "notes"})


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    text = resources.files("pytest_forgetting").joinpath("suite/schema/suite.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))


def _allowed_keys(err: ValidationError, family: Any) -> list[str]:
    """Keys allowed where an unknown key was found, the family's own keys included
    (they live in the schema's per-family branches, not where the error points)."""
    allowed = set(err.schema.get("properties", {}).keys()) if isinstance(err.schema, dict) else set()
    path = list(err.absolute_path)
    if path == [] and family in FAMILIES:
        schema = _validator().schema
        for branch in schema.get("allOf", []) if isinstance(schema, Mapping) else []:
            if branch["if"]["properties"]["family"].get("const") == family:
                allowed |= set(branch["then"].get("properties", {})) - {"cases"}
    elif len(path) == 2 and path[0] == "cases" and family in FAMILIES:
        allowed = set(COMMON_CASE_KEYS | FAMILY_CASE_KEYS[family])
    return sorted(allowed)


def _describe(err: ValidationError, family: Any = None) -> tuple[str, str | None]:
    """Turn a jsonschema error into (message, fix) a person can act on."""
    if err.validator in ("unevaluatedProperties", "additionalProperties"):
        m = re.findall(r"'([^']+)'", err.message)
        keys = ", ".join(repr(k) for k in m) if m else "a key"
        allowed = _allowed_keys(err, family)
        fix = "remove or rename it" + (f"; allowed keys here: {', '.join(allowed)}" if allowed else "")
        return f"unknown key {keys}", fix
    if err.validator == "required":
        return err.message, "add the missing field"
    if err.validator == "enum":
        return f"{err.instance!r} is not one of {err.validator_value}", "use one of the listed values"
    if err.validator == "type":
        msg = f"expected {err.validator_value}, got {type(err.instance).__name__} {err.instance!r}"[:300]
        if isinstance(err.instance, bool) and "string" in str(err.validator_value):
            return msg, "quote it: YAML reads yes/no/on/off/true/false as booleans (write 'no')"
        return msg, None
    if err.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        name = str(err.absolute_path[-1]) if err.absolute_path else ""
        fix = {"alpha": "use a significance level between 0 and 1 (both excluded), e.g. 0.05",
               "tolerance": "use a tolerance of 0 or more, e.g. 0.05"}.get(name, "use a value in the allowed range")
        return err.message[:300], fix
    if err.validator == "oneOf" and isinstance(err.instance, dict) and "path" not in err.instance:
        return ("a case needs exactly one of 'prompt' or 'messages' (or 'vars' for the suite's template)",
                "give the case a prompt: (or messages:, or vars:), only one of them")
    if err.validator == "anyOf" and not list(err.absolute_path):
        return "the suite has no cases", "add cases: (a list of cases) or cases_from: (a .jsonl or .csv file)"
    if err.validator == "anyOf" and isinstance(err.instance, dict):
        return "a helpfulness case needs 'answers' or 'regex'", "add answers: [..] or regex: '...'"
    return err.message[:300], None


def _best_error(errors: list[ValidationError]) -> ValidationError:
    """The most useful error first; "unevaluated property" is often a side effect of another
    error inside an if/then branch, so it is reported only when it is the only kind."""
    from jsonschema.exceptions import best_match

    real = [e for e in errors if e.validator != "unevaluatedProperties"]
    return best_match(real or errors)


def schema_check(data: dict[str, Any], node: yaml.Node | None, spath: str, origins: Mapping[int, tuple[str, int]]) -> None:
    """Validate ``data`` against the suite schema; raise the most useful violation as a :class:`SuiteError`."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: (list(e.absolute_path), e.validator))
    if not errors:
        return
    err = _best_error(errors)
    parts = list(err.absolute_path)
    msg, fix = _describe(err, data.get("family"))
    if err.validator in ("unevaluatedProperties", "additionalProperties"):
        bad = re.findall(r"'([^']+)'", err.message)
        if bad and isinstance(err.instance, dict) and bad[0] in err.instance:
            parts = parts + [bad[0]]
    extra = f" ({len(errors) - 1} more problem(s) after fixing this one)" if len(errors) > 1 else ""
    where, line, fld = locate(spath, node, origins, parts)
    raise SuiteError(where, msg + extra, line=line, field=fld, fix=fix)


def locate(spath: str, node: yaml.Node | None, origins: Mapping[int, tuple[str, int]],
           parts: list[Any]) -> tuple[str, int | None, str]:
    """(file, line, field) of a problem: the data file's row for cases read by ``cases_from``."""
    if len(parts) >= 2 and parts[0] == "cases" and parts[1] in origins:
        dfile, dline = origins[parts[1]]
        return dfile, dline, ".".join(str(p) for p in parts[2:]) + f" (a cases_from row of {spath})"
    return spath, line_of(node, parts), json_path(parts)
