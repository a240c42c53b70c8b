"""Reading a suite file's YAML safely: bounded, strict, and with the line numbers errors cite.

The parse keeps libyaml's node tree. Before any Python value is built from it,
one pass over the nodes refuses duplicate keys (YAML would keep the last one
silently), aliases that contain themselves (an endless value) and documents
whose aliases expand past :data:`MAX_VALUES` (a "billion laughs" file); the
file's size is bounded before it is read. After construction every number
must be finite, and a format schema's ``$ref`` must stay inside the schema.
"""
from __future__ import annotations

import math
from typing import Any

import yaml

from ..errors import SuiteError


def json_path(parts: Any) -> str:
    """A JSON path like ``$.cases[0].label``: the way every error names a field."""
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def line_of(node: yaml.Node | None, parts: list[Any]) -> int | None:
    """Walk the composed YAML node tree along a JSON path to find the line."""
    line = node.start_mark.line + 1 if node is not None else None
    for p in parts:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for k, v in node.value:
                if k.value == p:
                    nxt = v
                    line = k.start_mark.line + 1
                    break
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(p, int) and p < len(node.value):
            node = node.value[p]
            line = node.start_mark.line + 1
        else:
            break
        if node is None:
            break
    return line


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


MAX_BYTES = 20 << 20
"""A suite file larger than this is refused before it is parsed."""
MAX_VALUES = 1_000_000
"""Values (YAML nodes) a suite may expand to once aliases are followed: a 400-byte "billion laughs"
file expands to 10^9 and would hang validation; a 5,000-case suite has about 50,000."""
_MERGE = "tag:yaml.org,2002:merge"


def children(node: yaml.Node) -> list[yaml.Node]:
    """The child nodes of a YAML node, for walks that look up lines."""
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_tree(root: yaml.Node, spath: str) -> None:
    """Before anything is built from the tree: duplicate keys, self-referencing aliases, and the size
    the aliases expand to, all in one pass over the composed nodes (each node once, so an alias
    bomb costs its own few hundred nodes, not its expansion)."""
    sizes: dict[int, int] = {}
    path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            path.discard(nid)
            sizes[nid] = 1 + sum(sizes[id(c)] for c in children(node))
            if sizes[nid] > MAX_VALUES:
                raise SuiteError(
                    spath, f"the document expands to more than {MAX_VALUES:,} values once its YAML aliases "
                    "(*name) are followed", line=node.start_mark.line + 1,
                    fix="write the values out, or repeat fewer nested aliases",
                )
            continue
        if nid in sizes:
            continue
        if nid in path:
            raise SuiteError(
                spath, "a YAML alias (*name) points at a node that contains it, which would make an endless value",
                line=node.start_mark.line + 1, fix="remove the alias, or copy the part it should repeat",
            )
        path.add(nid)
        stack.append((node, True))
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for key, _ in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE:
                    continue
                if (key.tag, key.value) in first:
                    raise SuiteError(
                        spath, f"duplicate key {key.value!r} (first on line {first[(key.tag, key.value)]}); YAML "
                        "would silently keep only the last one", line=key.start_mark.line + 1,
                        field=str(key.value)[:80],
                        fix="remove or rename one of them (two cases in one mapping? start each with '- ')",
                    )
                first[(key.tag, key.value)] = key.start_mark.line + 1
        stack.extend((c, False) for c in reversed(children(node)) if id(c) not in sizes)


def parse_yaml(text: str, spath: str = "<suite>") -> tuple[yaml.Node | None, Any]:
    """Parse once (libyaml when present) and keep the node tree: it carries the line numbers errors cite.

    The tree is checked (:func:`check_tree`) before any Python value is built from it.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        check_tree(node, spath)
        return node, loader.construct_document(node)
    finally:
        loader.dispose()


def check_finite(data: Any, node: yaml.Node | None, spath: str) -> None:
    """Every number in a suite is finite: ``.nan`` passes every ``minimum`` check and would silently
    switch regressions off, ``.inf`` likewise."""
    stack: list[tuple[Any, list[Any]]] = [(data, [])]
    while stack:
        value, parts = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            name = str(parts[-1]) if parts else "value"
            hint = {"alpha": "a significance level between 0 and 1, e.g. 0.05",
                    "tolerance": "a tolerance of 0 or more, e.g. 0.05"}.get(name, "a finite number")
            raise SuiteError(
                spath, f"{name} is {value!r}: numbers in a suite must be finite", line=line_of(node, parts),
                field=json_path(parts), fix=f"use {hint}",
            )
        if isinstance(value, dict):
            stack.extend((v, parts + [k]) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, parts + [i]) for i, v in enumerate(value))


def check_local_refs(schema: Any, spath: str, node: yaml.Node | None) -> None:
    """``$ref`` in a format schema must point inside it: a URL or file ref would be fetched at scoring
    time, and the fetched document would decide the case."""
    stack: list[tuple[Any, list[Any]]] = [(schema, ["format", "json_schema"])]
    while stack:
        value, parts = stack.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                if k in ("$ref", "$dynamicRef", "$recursiveRef") and isinstance(v, str):
                    problem = None
                    if not v.startswith("#"):
                        problem = f"{k} {v!r} points outside the schema; refs are never fetched"
                    elif v.startswith("#/") and pointer_missing(schema, v[1:]):
                        problem = f"{k} {v!r} points at nothing inside the schema"
                    if problem:
                        raise SuiteError(
                            spath, f"format.json_schema: {problem}", line=line_of(node, parts + [k]),
                            field=json_path(parts + [k]),
                            fix="copy the referenced definition under $defs and use '#/$defs/NAME'",
                        )
                stack.append((v, parts + [k]))
        elif isinstance(value, list):
            stack.extend((v, parts + [i]) for i, v in enumerate(value))


def pointer_missing(doc: Any, pointer: str) -> bool:
    """Whether a local ``$ref`` pointer points at nothing in the document."""
    from urllib.parse import unquote

    for token in pointer.split("/")[1:]:
        token = unquote(token).replace("~1", "/").replace("~0", "~")
        if isinstance(doc, dict) and token in doc:
            doc = doc[token]
        elif isinstance(doc, list) and token.isdigit() and int(token) < len(doc):
            doc = doc[int(token)]
        else:
            return True
    return False
