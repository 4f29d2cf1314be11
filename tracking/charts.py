"""Bar charts as inline SVG, drawn on the server from numbers: no script, no network.

Each chart is an `img` for assistive technology, named by its <title> and described by its
<desc>; the axes are labelled, every bar carries its value as text and as a tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 28, 64


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


def nice_ceiling(value: int, ticks: int = 4) -> tuple[int, int]:
    """The axis top (≥ value) and tick step: 1, 2 or 5 times a power of ten, about `ticks` steps."""
    if value <= 0:
        return 1, 1
    raw = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return math.ceil(value / step) * step, step


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    x_label: str,
    y_label: str,
    label_every: int = 1,
) -> SafeString:
    """An SVG bar chart; x labels on every `label_every`-th bar (the last one always)."""
    top, step = nice_ceiling(max((b.value for b in bars), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(bars), 1)
    bar_w = slot * 0.7
    base = TOP + plot_h
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]
    for tick in range(0, top + 1, step):
        y = base - plot_h * tick / top
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_num(y)}" y2="{_num(y)}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{_num(y + 4)}" text-anchor="end">{tick}</text>'
        )
    for i, bar in enumerate(bars):
        height = plot_h * bar.value / top
        x = LEFT + slot * i + (slot - bar_w) / 2
        centre = _num(x + bar_w / 2)
        parts.append(
            f'<g class="bar"><rect x="{_num(x)}" y="{_num(base - height)}" width="{_num(bar_w)}" '
            f'height="{_num(height)}"><title>{escape(bar.label)}: {bar.value}</title></rect>'
        )
        if bar.value:
            parts.append(
                f'<text class="value" x="{centre}" y="{_num(base - height - 4)}" '
                f'text-anchor="middle">{bar.value}</text>'
            )
        parts.append("</g>")
        if i % label_every == 0 or i == len(bars) - 1:
            parts.append(
                f'<text class="tick" x="{centre}" y="{base + 16}" text-anchor="middle">'
                f"{escape(bar.label)}</text>"
            )
    parts += [
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>',
        f'<text class="axis-label" x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 12}" '
        f'text-anchor="middle">{escape(x_label)}</text>',
        f'<text class="axis-label" transform="translate(14 {TOP + plot_h / 2:.0f}) rotate(-90)" '
        f'text-anchor="middle">{escape(y_label)}</text>',
        "</svg>",
    ]
    return mark_safe("".join(parts))
