"""Authoring helpers: prompt templates, cases read from data files, derived case ids.

Kept out of ``cases.py`` so validation and authoring can be read apart. All
pure except :func:`read_rows`, which reads the one data file a suite names.

* A template's placeholders are ``{name}`` with ``name`` an identifier; ``{{``
  and ``}}`` are literal braces. Any other brace is literal too, so JSON in a
  template (``{"intent": ...}``) needs no escaping.
* A derived id hashes the case's own prompt content (the values of the
  template's placeholders, or ``prompt`` / ``messages``, and ``system``), never
  its row number, so appending or reordering rows keeps every existing id, and
  rewording the template or fixing a gold label keeps the ids (those cases then
  need re-approval instead of turning into new cases).
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path
from typing import Any, Iterable, Mapping

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")

ID_PREFIX = "c-"
"""Derived ids look like ``c-3f9a1c27b0``: 10 hex digits of a SHA-256 (40 bits)."""

BOOL_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
INT_FIELDS = frozenset({"max_words", "min_words", "max_new_tokens"})
BOOL_FIELDS = frozenset({"expect_format", "should_refuse"})
LIST_FIELDS = frozenset({"answers", "required_phrases", "forbidden_phrases", "must_not_contain", "stop", "tags"})


class TemplateError(ValueError):
    """A placeholder has no value; ``name`` says which."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def placeholders(template: str) -> list[str]:
    """The placeholder names of a template, in order of first use."""
    return list(dict.fromkeys(m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(1)))


def fill_template(template: str, values: Mapping[str, Any]) -> str:
    """Fill ``{name}`` placeholders; raises :class:`TemplateError` naming the first missing one."""

    def sub(m: re.Match[str]) -> str:
        tok, name = m.group(0), m.group(1)
        if name is None:
            return tok[0]  # "{{" -> "{", "}}" -> "}"
        if name not in values:
            raise TemplateError(name)
        return str(values[name])

    return _PLACEHOLDER.sub(sub, template)


def derived_id(raw: Mapping[str, Any], used: Iterable[str] | None = None) -> str:
    """A stable id from the case's prompt content only (see the module docstring).

    ``used``: the template's placeholders; other vars (extra data columns) do not count,
    so adding a column to the data file renames nothing.
    """
    own = {k: raw[k] for k in ("vars", "prompt", "messages", "system") if k in raw}
    if used is not None and isinstance(own.get("vars"), Mapping):
        keep = set(used)
        own["vars"] = {k: v for k, v in own["vars"].items() if k in keep}
    blob = json.dumps(own, sort_keys=True, ensure_ascii=False, default=str)
    return ID_PREFIX + hashlib.sha256(blob.encode()).hexdigest()[:10]


def assign_ids(raws: list[dict[str, Any]], used: Iterable[str] | None = None) -> None:
    """Give every case without an ``id`` a derived one, in place.

    Two cases with the same prompt content would derive the same id; the later
    one (in suite order: inline cases, then data rows in file order) gets ``-2``,
    ``-3``, ... so appending rows still never renames an existing case.
    """
    taken = {str(r["id"]) for r in raws if "id" in r}
    for raw in raws:
        if "id" in raw:
            continue
        base = cid = derived_id(raw, used)
        n = 1
        while cid in taken:
            n += 1
            cid = f"{base}-{n}"
        taken.add(cid)
        raw["id"] = cid


def read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """``(line number, row)`` for each record of a ``.jsonl`` or ``.csv`` file.

    Raises ``ValueError`` with the line number on a malformed record.
    """
    text = path.read_text(encoding="utf-8-sig")
    rows: list[tuple[int, dict[str, Any]]] = []
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        for row in reader:
            if None in row:
                raise ValueError(f"line {reader.line_num}: more fields than the header has columns")
            rows.append((reader.line_num, {k: v for k, v in row.items() if k is not None}))
        return rows
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"line {n}: not JSON ({exc})") from None
        if not isinstance(obj, dict):
            raise ValueError(f"line {n}: expected a JSON object, got {type(obj).__name__}")
        rows.append((n, obj))
    return rows


def _from_text(key: str, value: Any) -> Any:
    """CSV cells are text: turn them into the types case keys expect (JSON rows are left alone)."""
    if not isinstance(value, str):
        return value
    if key in BOOL_FIELDS and value.strip().lower() in BOOL_WORDS:
        return BOOL_WORDS[value.strip().lower()]
    if key in INT_FIELDS and value.strip().lstrip("-").isdigit():
        return int(value)
    if key in LIST_FIELDS:
        if value.lstrip().startswith("["):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return [value]
    return value


def row_to_case(row: Mapping[str, Any], spec: Mapping[str, Any] | None, case_keys: Iterable[str],
                from_csv: bool) -> dict[str, Any]:
    """One data row as a raw case mapping, through the suite's column mapping.

    Without a mapping (``cases_from: file``), columns named like case keys
    (``id``, ``label``, ``prompt``, ...) become those keys and every other column
    a template variable. With one, ``id``, ``vars`` and ``fields`` name the
    columns; ``gold`` is shorthand for ``fields: {label: ...}``.
    Missing columns raise ``KeyError`` with the column name.
    """
    keys = set(case_keys)
    case: dict[str, Any] = {}
    if spec is None:
        extra = {k: v for k, v in row.items() if k not in keys}
        case.update({k: v for k, v in row.items() if k in keys})
        if extra and "prompt" not in case and "messages" not in case:
            case["vars"] = extra
    else:
        if "id" in spec:
            case["id"] = row[spec["id"]]
        fields = dict(spec.get("fields", {}))
        if "gold" in spec:
            fields["label"] = spec["gold"]
        for key, col in fields.items():
            case[key] = row[col]
        vars_spec = spec.get("vars")
        if isinstance(vars_spec, list):
            vars_spec = {c: c for c in vars_spec}
        if vars_spec:
            case["vars"] = {name: row[col] for name, col in vars_spec.items()}
    if from_csv:
        case = {k: _from_text(k, v) for k, v in case.items()}
    if "id" in case and case["id"] not in (None, ""):
        case["id"] = str(case["id"])
    else:
        case.pop("id", None)  # an empty id cell: derive one
    return case
