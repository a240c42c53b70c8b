"""Charts for the HTML report: matplotlib figures as inline SVG strings.

matplotlib is optional (the ``report`` extra). :func:`missing` says why charts
are unavailable; every chart function returns an ``<svg>`` string, ``None``
when there is nothing to draw, or an escaped note when drawing failed. Only the
object-oriented API is used (no pyplot): no global figure state, no GUI backend. Text stays text in the SVG (no glyph
paths), math parsing is off (a ``$`` in a label is a dollar sign), and element
ids are salted per chart so several SVGs on one page never share an id.
"""
from __future__ import annotations

import functools
import io
import math
import re
from typing import Any, Callable, Sequence

from ..decide.reasons import FAILING, IMPROVED, REGRESSED, TARGET_MISSED

INSTALL_HINT = 'pip install "pytest-forgetting[report]"'

REF_COLOUR = "#6b7280"
STATUS_COLOURS = {REGRESSED: "#dc2626", IMPROVED: "#16a34a"}
CAND_COLOUR = "#2563eb"
SWEEP_COLOURS = {FAILING: STATUS_COLOURS[REGRESSED], IMPROVED: STATUS_COLOURS[IMPROVED]}
RUN_COLOUR = "#1e3a8a"
PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d"]


def missing() -> str | None:
    """None when charts can be drawn, else the import error."""
    try:
        import matplotlib  # noqa: F401
        from matplotlib.figure import Figure  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any failure to import means "no charts"
        return f"{type(exc).__name__}: {exc}"
    return None


def _chart(fn: Callable[..., Any]) -> Callable[..., str | None]:
    """Build and save the figure under local rc settings; the caller's matplotlib state is untouched."""

    @functools.wraps(fn)
    def wrapper(*args: Any, salt: str, **kwargs: Any) -> str | None:
        import matplotlib

        rc: Any = {"svg.fonttype": "none", "svg.hashsalt": salt, "text.parse_math": False, "font.size": 9}
        try:
            with matplotlib.rc_context(rc):
                fig = fn(*args, **kwargs)
                return None if fig is None else _svg(fig)
        except Exception as exc:  # noqa: BLE001 - a chart must not cost the reader the page: say what failed
            from markupsafe import escape

            return f'<p class="note">Chart not drawn ({escape(type(exc).__name__)}: {escape(exc)}); the table above has every number.</p>'

    return wrapper


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]  # drop the XML prolog, DOCTYPE and comment
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    head, rest = text.split(">", 1)
    # inline SVG in HTML needs no namespace declarations (the HTML parser assigns them), and the
    # page then holds no URL at all; scale with the page: keep the viewBox, drop the fixed size
    head = re.sub(r'\s(?:xmlns(?::\w+)?|width|height)="[^"]*"', "", head)
    rest = re.sub(r'<g id="[^"]*"', "<g", rest)  # group ids repeat across charts and nothing refers to them
    rest = re.sub(r"<style[^>]*>.*?</style>", "", rest, flags=re.S)  # page-wide in HTML: the page's CSS has it
    return head + ' class="chart">' + rest


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _points(r: dict[str, Any], ref_label: str, cand_label: str) -> list[tuple[float, Any, Any, str, str]]:
    """(y offset, value, ci, colour, legend label) for the reference and the candidate of one metric row."""
    cand_colour = STATUS_COLOURS.get(str(r.get("chart_status", r.get("status", ""))).lower(), CAND_COLOUR)
    return [(0.17, r.get("baseline"), r.get("baseline_ci"), REF_COLOUR, ref_label),
            (-0.17, r.get("current"), r.get("current_ci"), cand_colour, cand_label)]


def _draw_point(ax: Any, y: float, v: Any, ci: Any, colour: str, label: str) -> list[float]:
    if not _finite(v):
        return []
    if ci and len(ci) == 2 and _finite(ci[0]) and _finite(ci[1]):
        lo, hi = min(ci), max(ci)
        ax.errorbar([v], [y], xerr=[[max(0.0, v - lo)], [max(0.0, hi - v)]], fmt="o", color=colour,
                    capsize=3, markersize=5, label=label)
        return [v, lo, hi]
    ax.plot([v], [y], "o", color=colour, markersize=5, label=label)
    return [v]


def _style(ax: Any) -> None:
    ax.grid(axis="x", alpha=0.3)
    ax.tick_params(axis="both", labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


@_chart
def metric_chart(rows: Sequence[dict[str, Any]], ref_label: str, cand_label: str) -> Any:
    """Reference vs candidate per metric, each with its interval.

    ``rows``: dicts with ``name``, ``baseline``, ``baseline_ci``, ``current``,
    ``current_ci`` and ``status`` (the candidate is red when regressed, green
    when improved). When every value lies in [0, 1] all metrics share one axis;
    otherwise each metric gets a panel with its own scale.
    """
    rows = [r for r in rows if _finite(r.get("baseline")) or _finite(r.get("current"))]
    if not rows:
        return None
    vals = [x for r in rows for _, v, ci, _, _ in _points(r, "", "") for x in [v, *(ci or [])] if _finite(x)]
    shared = all(0 <= x <= 1 for x in vals)
    if shared:
        fig = _figure(7.0, 0.36 * len(rows) + 0.9)
        ax = fig.subplots()
        axes = [ax]
        for k, r in enumerate(rows):
            for dy, v, ci, colour, label in _points(r, ref_label, cand_label):
                _draw_point(ax, len(rows) - 1 - k + dy, v, ci, colour, label)
        ax.set_yticks(range(len(rows)), [r["name"] for r in reversed(rows)])
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        _style(ax)
    else:
        fig = _figure(7.0, 0.75 * len(rows) + 0.6)
        axes = list(fig.subplots(len(rows), 1, squeeze=False)[:, 0])
        for ax, r in zip(axes, rows):
            for dy, v, ci, colour, label in _points(r, ref_label, cand_label):
                _draw_point(ax, dy, v, ci, colour, label)
            ax.set_ylim(-0.5, 0.5)
            ax.set_yticks([0], [r["name"]])
            _style(ax)
        fig.subplots_adjust(hspace=0.8)
    # the legend is built from the colours used, not from the first point drawn (which may be red)
    from matplotlib.lines import Line2D

    used = {str(r.get("chart_status", r.get("status", ""))).lower() for r in rows}
    entries = [(REF_COLOUR, ref_label), (CAND_COLOUR, cand_label)] + [
        (STATUS_COLOURS[st], f"{cand_label}: {st}") for st in (REGRESSED, IMPROVED) if st in used]
    axes[0].legend([Line2D([], [], marker="o", linestyle="", color=c) for c, _ in entries], [lab for _, lab in entries],
                   loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=len(entries), frameon=False, fontsize=8)
    return fig


@_chart
def distribution_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> Any:
    """Grouped bars: count per label for gold and each side's predictions."""
    if not labels or not series:
        return None
    fig = _figure(7.0, 2.3)
    ax = fig.subplots()
    ax.yaxis.get_major_locator().set_params(integer=True)
    width = 0.8 / len(series)
    for i, (name, counts) in enumerate(series):
        xs = [j + (i - (len(series) - 1) / 2) * width for j in range(len(labels))]
        colour = "#d1d5db" if i == 0 else (REF_COLOUR if i < len(series) - 1 else CAND_COLOUR)
        ax.bar(xs, counts, width=width, label=name, color=colour, edgecolor="#374151" if i == 0 else colour)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, fontsize=8, rotation=20 if len(labels) > 5 else 0)
    ax.set_ylabel("cases", fontsize=9)
    ax.legend(fontsize=8, frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


@_chart
def sweep_chart(checkpoints: Sequence[str], runs: Sequence[str | None], panels: Sequence[dict[str, Any]],
                recommended: Sequence[int], reference_label: str = "reference") -> Any:
    """One small panel per metric across the candidates.

    ``panels``: dicts with ``title``, ``values`` (one per checkpoint), ``statuses``
    (``failing`` / ``improved`` / other, from the record) and ``reference``. Points
    are coloured by status; a line joins only checkpoints of one training run
    (``runs[i]``, None for an adapter on its own); the reference is a dashed line.
    The legend is drawn from the same colour constants the points use.
    """
    from matplotlib.lines import Line2D

    panels = [p for p in panels if any(_finite(v) for v in p["values"]) or _finite(p.get("reference"))]
    if not checkpoints or not panels:
        return None
    ncols = min(3, len(panels))
    nrows = -(-len(panels) // ncols)
    fig = _figure(3.5 * ncols, 2.0 * nrows + 0.45)
    fig.set_layout_engine("constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    xs = list(range(len(checkpoints)))
    ticks = [("\u2605 " if i in recommended else "") + c for i, c in enumerate(checkpoints)]
    seen: set[str] = set()
    for ax, p in zip(axes.flat, panels):
        vals = list(p["values"])
        if _finite(p.get("reference")):
            ax.axhline(p["reference"], color=REF_COLOUR, linestyle="--", linewidth=1.2, zorder=1)
            seen.add("ref")
        for run in dict.fromkeys(r for r in runs if r):
            pts = [(x, vals[x]) for x in xs if runs[x] == run and _finite(vals[x])]
            if len(pts) > 1:
                ax.plot([q[0] for q in pts], [q[1] for q in pts], color=RUN_COLOUR, linewidth=1.4, zorder=2)
                seen.add("run")
        for x in xs:
            if _finite(vals[x]):
                st = p["statuses"][x]
                ax.plot([x], [vals[x]], "o", color=SWEEP_COLOURS.get(st, CAND_COLOUR), markersize=6, zorder=3)
                seen.add(st if st in SWEEP_COLOURS else "other")
        for k in recommended:
            ax.axvspan(k - 0.4, k + 0.4, color=STATUS_COLOURS["improved"], alpha=0.12, linewidth=0)
        ax.set_title(str(p["title"]), fontsize=8, loc="left")
        ax.set_xlim(-0.5, len(xs) - 0.5)
        ys = [v for v in [*vals, p.get("reference")] if _finite(v)]
        if ys and all(0 <= v <= 1 for v in ys):
            ax.set_ylim(-0.05, 1.05)
        ax.set_xticks(xs, ticks, fontsize=7, rotation=30 if len(xs) > 2 else 0, ha="right" if len(xs) > 2 else "center")
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(axis="y", alpha=0.3)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    dot = lambda colour, label: Line2D([], [], marker="o", linestyle="", color=colour, label=label)  # noqa: E731
    handles = [h for key, h in (
        ("other", dot(CAND_COLOUR, "no significant change")),
        (FAILING, dot(SWEEP_COLOURS[FAILING], f"{REGRESSED} / {TARGET_MISSED} (!)")),
        (IMPROVED, dot(SWEEP_COLOURS[IMPROVED], IMPROVED)),
        ("ref", Line2D([], [], color=REF_COLOUR, linestyle="--", label=reference_label)),
        ("run", Line2D([], [], color=RUN_COLOUR, label="checkpoints of one training run")),
    ) if key in seen]
    fig.legend(handles=handles, loc="outside upper left", ncol=len(handles), frameon=False, fontsize=8)
    return fig
