"""Suite files: YAML -> JSON Schema validation -> frozen ``Suite`` / ``Case``.

Everything a user can get wrong in a suite file is caught here (the schema's
wording in :mod:`.validation`), before any model work, and reported as a
:class:`SuiteError` naming the file, the YAML line, the field's JSON path and
the fix. YAML is read with ``safe_load`` semantics only (``SafeLoader``), so a
suite file cannot construct objects, and within bounds (:mod:`.parse`).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from ..errors import SuiteError
from ..text import visible
from .requests import GenerationSettings, Prompt
from .families import hooks_for
from .data import TemplateError, assign_ids, fill_template, placeholders, read_rows, row_to_case
from .parse import MAX_BYTES, check_finite, check_local_refs, json_path, line_of, parse_yaml
from .validation import FAMILIES  # noqa: F401  (re-exported: the plugin asks this module for the families)
from .validation import COMMON_CASE_KEYS, FAMILY_CASE_KEYS, locate, schema_check

SUITE_SUFFIXES = (".forgetting.yaml", ".forgetting.yml")
_REGEX_FLAGS = {"IGNORECASE": re.IGNORECASE, "MULTILINE": re.MULTILINE, "DOTALL": re.DOTALL,
                "VERBOSE": re.VERBOSE, "ASCII": re.ASCII}


@dataclass(frozen=True)
class Case:
    """One prompt and what the suite expects of its answer."""

    id: str
    prompt: Prompt
    settings: GenerationSettings
    expect: Mapping[str, Any]
    tags: tuple[str, ...] = ()
    line: int | None = None
    content_hash: str = ""


@dataclass(frozen=True)
class Suite:
    """A suite file: a family, a role, settings and cases."""

    name: str
    path: Path
    family: str
    role: str
    cases: tuple[Case, ...]
    config: Mapping[str, Any] = field(default_factory=dict)
    workflow: str | None = None
    description: str = ""
    alpha: float = 0.05
    tolerance: float | None = None
    metric_tolerances: Mapping[str, float] = field(default_factory=dict)
    primary_metric: str | None = None
    line: int | None = None

    def case(self, case_id: str) -> Case:
        """The case with this id (KeyError when there is none)."""
        for c in self.cases:
            if c.id == case_id:
                return c
        raise KeyError(case_id)


def is_suite_file(path: Path) -> bool:
    """Whether a path is a suite file, by its ``.forgetting.yaml`` / ``.forgetting.yml`` suffix."""
    return path.name.endswith(SUITE_SUFFIXES)


SUITE_NAME = re.compile(r"[A-Za-z0-9_.-]+")
"""The characters of a suite name, from ``suite:`` or the file name (the schema's ``suite`` pattern)."""


def check_name_from_path(path: Path) -> None:
    """A suite named by its file follows the rule ``suite:`` follows: no spaces, control, zero-width or
    bidi characters (three files that look identical, or one that reorders the terminal line)."""
    name = suite_name_from_path(path)
    if SUITE_NAME.fullmatch(name):
        return
    odd = sorted({f"U+{ord(ch):04X}" for ch in name if not ch.isprintable()})
    raise SuiteError(
        visible(str(path)),
        f"the suite name '{visible(name)}' comes from the file name and has characters a suite name may not have"
        + (f" (invisible or direction-changing: {', '.join(odd)})" if odd else ""),
        line=1, field="$.suite",
        fix="rename the file using only letters, digits, '_', '.' and '-', or set 'suite: <name>' in it")


def suite_name_from_path(path: Path) -> str:
    """The default suite name: the file name without the suite suffix."""
    name = path.name
    for suffix in SUITE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def load_suite(path: Path, *, root: Path | None = None, allow_outside: bool = False, allow_code: bool = False) -> Suite:
    """Load and validate one suite file. Raises :class:`SuiteError`.

    ``allow_code``: the run opted in to suite fields that import Python code (``--forgetting-allow-code``).
    """
    spath = visible(str(path))
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SuiteError(spath, f"the file is {size / (1 << 20):.1f} MB; suite files may be at most "
                             f"{MAX_BYTES >> 20} MB", fix="split it into several suite files")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(spath, f"cannot read the file: {exc}", fix="check the path and that it is UTF-8 text")
    try:
        node, data = parse_yaml(text, spath)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise SuiteError(
            spath,
            f"malformed YAML: {problem}",
            line=mark.line + 1 if mark else None,
            fix="fix the YAML syntax at that line (indentation, quotes, a missing ':')",
        ) from None
    if data is None:
        raise SuiteError(spath, "the file is empty", fix="add 'family:' and 'cases:' (see the README for an example)")
    if not isinstance(data, dict):
        raise SuiteError(
            spath,
            f"the top level must be a mapping with 'family:' and 'cases:', got a {type(data).__name__}",
            line=1,
            field="$",
            fix="start the file with 'family: ...' then 'cases:' holding a list of cases",
        )
    check_finite(data, node, spath)
    schema_check(data, node, spath, {})
    if "suite" not in data:
        check_name_from_path(path)
    origins: dict[int, tuple[str, int]] = {}
    if "cases_from" in data:
        data, origins = _with_file_cases(path, data, node, root, allow_outside)
        schema_check(data, node, spath, origins)
    assert node is not None  # an empty document failed the schema above
    suite = _build(path, data, node, root=root, allow_outside=allow_outside, origins=origins)
    _family_checks(suite, node, allow_code)
    return suite


def _family_checks(suite: Suite, node: yaml.Node | None, allow_code: bool) -> None:
    """The family's own load-time checks (e.g. refusal_classifier), with the YAML line filled in."""
    try:
        hooks_for(suite.family, str(suite.path)).validate(suite, allow_code=allow_code)
    except SuiteError as exc:
        _fill_line(exc, node)
        raise


def _fill_line(exc: SuiteError, node: yaml.Node | None) -> None:
    """A family names the field it rejects; the loader knows where that field is in the YAML."""
    if exc.line is None and exc.field and exc.field.startswith("$."):
        exc.line = line_of(node, exc.field[2:].split("."))


def _with_file_cases(path: Path, data: dict[str, Any], node: yaml.Node | None, root: Path | None,
                     allow_outside: bool) -> tuple[dict[str, Any], dict[int, tuple[str, int]]]:
    """The suite's inline cases followed by the rows of its ``cases_from`` file."""
    spec = data["cases_from"]
    rel = spec if isinstance(spec, str) else spec["path"]
    key_path = ["cases_from"] if isinstance(spec, str) else ["cases_from", "path"]
    target = _resolve_inside(path, rel, root, allow_outside, node, key_path)
    if target.suffix.lower() not in (".jsonl", ".csv"):
        raise SuiteError(str(path), f"cases_from file {rel!r} must end in .jsonl or .csv", line=line_of(node, key_path),
                         field=json_path(key_path), fix="convert the data to JSON Lines or CSV")
    try:
        rows = read_rows(target)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SuiteError(str(target), f"cannot read cases: {exc}", field=f"cases_from of {path}",
                         fix="one JSON object per line (.jsonl), or a CSV file with a header row") from None
    inline = list(data.get("cases", []))
    case_keys = COMMON_CASE_KEYS.union(*FAMILY_CASE_KEYS.values())  # another family's key is an error, not a var
    origins: dict[int, tuple[str, int]] = {}
    for line, row in rows:
        try:
            case = row_to_case(row, None if isinstance(spec, str) else spec, case_keys, target.suffix.lower() == ".csv")
        except KeyError as exc:
            raise SuiteError(str(target), f"row has no column {exc.args[0]!r} (named in cases_from of {path})",
                             line=line, fix=f"add the column, or fix the mapping; the row has: {', '.join(sorted(row))}") from None
        origins[len(inline)] = (str(target), line)
        inline.append(case)
    if not rows:
        raise SuiteError(str(target), "the cases_from file has no rows", field=f"cases_from of {path}",
                         fix="add cases to the file, or remove cases_from")
    return {**data, "cases": inline}, origins


def regex_flags(names: Any) -> int:
    """``flags: [IGNORECASE, MULTILINE]`` as ``re`` flags."""
    out = 0
    for name in names or ():
        out |= _REGEX_FLAGS[name]
    return out


def _check_regex(pattern: str, spath: str, node: yaml.Node | None, parts: list[Any], flags: int = 0) -> None:
    try:
        re.compile(pattern, flags)
    except re.error as exc:
        raise SuiteError(
            spath, f"invalid regular expression {pattern!r}: {exc}", line=line_of(node, parts),
            field=json_path(parts), fix="fix the pattern (quote it with single quotes in YAML to keep backslashes)",
        ) from None


def _case_hash(raw: Mapping[str, Any], suite_level: Mapping[str, Any]) -> str:
    """Hash of everything that can change a case's answer or its scoring."""
    blob = json.dumps({"case": raw, "suite": suite_level}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _build(path: Path, data: dict[str, Any], node: yaml.Node | None, *, root: Path | None, allow_outside: bool,
           origins: Mapping[int, tuple[str, int]] | None = None) -> Suite:
    spath = visible(str(path))
    origins = origins or {}
    family = data["family"]
    try:  # before any case is built: a family with no scorer registered cannot be loaded at all
        hooks = hooks_for(family, spath)
    except SuiteError as exc:
        _fill_line(exc, node)
        raise
    chat = data.get("chat", True)
    suite_system = data.get("system")
    template = data.get("template")
    default_tokens = data.get("max_new_tokens")
    suite_stop = tuple(data.get("stop", ()))
    config = {k: v for k, v in data.items() if k not in ("cases",)}

    def where(i: int, *rest: Any) -> dict[str, Any]:
        f, line, fld = locate(spath, node, origins, ["cases", i, *rest])
        return {"path": f, "line": line, "field": fld}

    if family == "format_overuse":
        fmt = data["format"]
        if "regex" in fmt:
            _check_regex(fmt["regex"], spath, node, ["format", "regex"], regex_flags(fmt.get("flags")))
        if "json_schema" in fmt:
            check_local_refs(fmt["json_schema"], spath, node)
            try:
                Draft202012Validator.check_schema(fmt["json_schema"])
            except SchemaError as exc:
                raise SuiteError(
                    spath, f"format.json_schema is not a valid JSON Schema: {exc.message}",
                    line=line_of(node, ["format", "json_schema"]), field="$.format.json_schema",
                    fix="fix the schema (draft 2020-12)",
                ) from None
    if family == "tone" and "training_data" in data:
        config["training_data_path"] = str(_resolve_inside(path, data["training_data"], root, allow_outside, node))
    labels = data.get("labels", [])

    raws = [dict(r) for r in data["cases"]]
    assign_ids(raws, placeholders(template) if template else None)  # derived from each case's prompt content
    seen: dict[str, int] = {}
    built: list[tuple[dict[str, Any], Prompt, int | None]] = []
    for i, raw in enumerate(raws):
        cid = str(raw["id"])
        line = line_of(node, ["cases", i]) if i not in origins else None
        if cid in seen:
            raise SuiteError(
                **where(i, "id"), message=f"duplicate case id {cid!r} (first used on line {seen[cid]})",
                fix="give every case in a suite a unique id",
            )
        seen[cid] = line or (origins[i][1] if i in origins else 0)
        foreign = set(raw) - COMMON_CASE_KEYS - FAMILY_CASE_KEYS[family]
        if foreign:
            key = sorted(foreign)[0]
            owner = next((f for f, keys in FAMILY_CASE_KEYS.items() if key in keys), "?")
            raise SuiteError(
                **where(i, key), message=f"key {key!r} belongs to family {owner!r}, but this suite's family is {family!r}",
                fix=f"remove it, or move the case to a {owner} suite",
            )
        if family == "label_collapse" and raw["label"] not in labels:
            raise SuiteError(
                **where(i, "label"), message=f"gold label {raw['label']!r} is not among the suite's labels {labels}",
                fix="fix the label's spelling or add it to 'labels:'",
            )
        if "regex" in raw:
            _check_regex(raw["regex"], spath, node, ["cases", i, "regex"])
        system = raw.get("system", suite_system)
        if "vars" in raw:
            if template is None:
                raise SuiteError(**where(i, "vars"), message=f"case {cid!r} has vars: but the suite has no template:",
                                 fix="add a suite-level template: with {placeholders}, or give the case a prompt:")
            try:
                text = fill_template(template, raw["vars"])
            except TemplateError as exc:
                raise SuiteError(
                    **where(i, "vars"), message=f"case {cid!r} has no value for the template's placeholder {{{exc.name}}}",
                    fix=f"add {exc.name}: to the case's vars (or the column to cases_from), or write {{{{ and }}}} for literal braces",
                ) from None
            raw["prompt"] = text  # the expanded prompt is what the hash covers, not the vars
            del raw["vars"]
        if "messages" in raw:
            msgs = tuple((m["role"], m["content"]) for m in raw["messages"])
            if system and not any(r == "system" for r, _ in msgs):
                msgs = (("system", system),) + msgs
            prompt = Prompt(messages=msgs, chat=True) if chat else Prompt(text="\n".join(c for _, c in msgs), chat=False)
        else:
            prompt = Prompt.of(raw["prompt"], system=system, chat=chat)
        built.append((raw, prompt, line))

    if family == "label_collapse" and data.get("scoring") == "generate" and "normalization" in data:
        raise SuiteError(spath, "normalization: applies to log-likelihood scoring, but this suite has scoring: generate",
                         line=line_of(node, ["normalization"]), field="$.normalization",
                         fix="remove normalization:, or use scoring: loglikelihood")
    try:  # the family derives what its scoring needs (label normalization, training n-grams) before hashing
        hooks.prepare(config, [p.user_text for _, p, _ in built], suite_path=spath)
    except SuiteError as exc:
        _fill_line(exc, node)
        raise

    # Fields that decide scoring or generation for every case: part of each case's hash.
    suite_level = {k: v for k, v in config.items() if k not in (
        "description", "workflow", "role", "alpha", "tolerance", "metrics", "suite", "primary_metric",
        "cases_from",  # where cases come from is not what they are: each case's own content is hashed
        "training_data_path")}  # absolute paths differ between checkouts; the content hash stands in
    if suite_level.get("normalization") == "byte" and "normalization" not in data:
        del suite_level["normalization"]  # the old implicit default: keeps hashes recorded before the option existed
    if "training_data_path" in config:
        suite_level["training_data_sha256"] = hashlib.sha256(Path(config["training_data_path"]).read_bytes()).hexdigest()
    cases: list[Case] = []
    for raw, prompt, line in built:
        settings = GenerationSettings(
            max_new_tokens=int(raw.get("max_new_tokens", default_tokens or 0)) or 0,
            stop=tuple(raw.get("stop", suite_stop)),
        )
        expect = {k: v for k, v in raw.items() if k in FAMILY_CASE_KEYS[family]}
        cases.append(
            Case(
                id=str(raw["id"]), prompt=prompt, settings=settings, expect=expect, tags=tuple(raw.get("tags", ())),
                line=line, content_hash=_case_hash(raw, suite_level),
            )
        )
    metric_tols = {k: float(v["tolerance"]) for k, v in data.get("metrics", {}).items() if "tolerance" in v}
    suite = Suite(
        name=data.get("suite") or suite_name_from_path(path),
        path=path,
        family=family,
        role=data.get("role", "guardrail"),
        cases=tuple(cases),
        config=config,
        workflow=data.get("workflow"),
        description=data.get("description", ""),
        alpha=float(data.get("alpha", 0.05)),
        tolerance=float(data["tolerance"]) if "tolerance" in data else None,
        metric_tolerances=metric_tols,
        primary_metric=data.get("primary_metric"),
        line=1,
    )
    _check_metric_names(suite, data, node)
    return suite


def _check_metric_names(suite: Suite, data: Mapping[str, Any], node: yaml.Node | None) -> None:
    """``primary_metric`` and ``metrics:`` keys must be metrics of the family: a typo
    would otherwise pass collection and fail at run time as "no data"."""
    import difflib

    names = hooks_for(suite.family, str(suite.path)).metric_names(suite)
    asked = [(["primary_metric"], data["primary_metric"])] if "primary_metric" in data else []
    asked += [(["metrics", k], k) for k in data.get("metrics", {})]
    for parts, name in asked:
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise SuiteError(
                str(suite.path), f"{name!r} is not a metric of family {suite.family!r}", line=line_of(node, parts),
                field=json_path(parts), fix=f"{hint}metrics of {suite.family}: {', '.join(names)}",
            )


def _sha256_file(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as exc:  # pragma: no cover - read just before by _check_training_data
        raise SuiteError(path, f"cannot read training_data: {exc}", field="$.training_data") from None


def _resolve_inside(suite_path: Path, rel: str, root: Path | None, allow_outside: bool, node: yaml.Node | None,
                    key_path: list[Any] | None = None) -> Path:
    """Resolve a path relative to the suite file; refuse escapes from the project root."""
    spath = visible(str(suite_path))
    key_path = key_path or ["training_data"]
    what, fld = key_path[0], json_path(key_path)
    target = (suite_path.parent / rel).resolve()
    line = line_of(node, key_path)
    if root is not None and not allow_outside:
        try:
            target.relative_to(root.resolve())
        except ValueError:
            raise SuiteError(
                spath, f"{what} {rel!r} resolves to {target}, outside the project root {root}",
                line=line, field=fld,
                fix="keep the data inside the project, or pass --forgetting-allow-outside-paths",
            ) from None
    if not target.is_file():
        raise SuiteError(
            spath, f"{what} file {rel!r} not found (looked for {target})", line=line,
            field=fld, fix="fix the path; it is resolved relative to the suite file",
        )
    return target


def with_default_tokens(case: Case, default: int) -> GenerationSettings:
    """The case's settings with the run's --forgetting-max-new-tokens filled in where the YAML gave none."""
    s = case.settings
    return s if s.max_new_tokens else GenerationSettings(max_new_tokens=default, stop=s.stop)
