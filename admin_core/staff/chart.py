"""A small grouped bar chart as inline SVG: no script, no library, readable in print and by
screen readers (the numbers are in a table beside it). Axes: the counts on the left (0 and the
highest), the first, middle and last dates below, in the staff member's language."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import format_date, format_number
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..services.figures import Day

WIDTH, HEIGHT, GAP = 640, 200, 2
LEFT, BOTTOM, TOP = 44, 22, 8  # room for the axes' labels
SERIES = (("sign_ups", "#0b57d0"), ("wifi_sign_ups", "#146c2e"), ("vouchers_collected", "#8a5300"))


def _label(x: float, y: float, text: str, anchor: str = "middle") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(text)}</text>'


def bar_chart(days: Sequence[Day]) -> Markup:
    top = max((getattr(day, name) for day in days for name, _colour in SERIES), default=0) or 1
    plot_width, plot_height = WIDTH - LEFT, HEIGHT - BOTTOM - TOP
    slot = plot_width / max(len(days), 1)
    bar = max((slot - GAP) / len(SERIES), 1)
    shapes = [
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_height}" class="axis"/>',
        f'<line x1="{LEFT}" y1="{TOP + plot_height}" x2="{WIDTH}" y2="{TOP + plot_height}" class="axis"/>',
        _label(LEFT - 6, TOP + 10, format_number(top), "end"),
        _label(LEFT - 6, TOP + plot_height, "0", "end"),
    ]
    for index in sorted({0, len(days) // 2, len(days) - 1}) if days else []:
        anchor = "start" if index == 0 else "end" if index == len(days) - 1 else "middle"
        x = LEFT + index * slot + (0 if anchor == "start" else slot if anchor == "end" else slot / 2)
        shapes.append(_label(x, HEIGHT - 4, format_date(days[index].day, "medium"), anchor))
    for index, day in enumerate(days):
        for offset, (name, colour) in enumerate(SERIES):
            value = getattr(day, name)
            if value:
                height = plot_height * value / top
                x = LEFT + index * slot + offset * bar
                shapes.append(
                    f'<rect x="{x:.1f}" y="{TOP + plot_height - height:.1f}" width="{bar:.1f}" '
                    f'height="{height:.1f}" fill="{colour}"><title>{escape(day.day.isoformat())}: {value}'
                    "</title></rect>"
                )
    label = escape(_("Sign-ups, Wi-Fi sign-ups and vouchers collected per day"))
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}">'
        f"{''.join(shapes)}</svg>"
    )
