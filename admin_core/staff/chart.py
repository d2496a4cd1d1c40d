"""A small grouped bar chart as inline SVG: no script, no library, readable in print and by
screen readers (the numbers are in a table beside it)."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..services.figures import Day

WIDTH, HEIGHT, GAP = 600, 160, 2
SERIES = (("sign_ups", "#0b57d0"), ("wifi_sign_ups", "#146c2e"), ("vouchers_collected", "#8a5300"))


def bar_chart(days: Sequence[Day]) -> Markup:
    top = max((getattr(day, name) for day in days for name, _colour in SERIES), default=0) or 1
    slot = WIDTH / max(len(days), 1)
    bar = max((slot - GAP) / len(SERIES), 1)
    shapes = []
    for index, day in enumerate(days):
        for offset, (name, colour) in enumerate(SERIES):
            value = getattr(day, name)
            if value:
                height = HEIGHT * value / top
                x = index * slot + offset * bar
                shapes.append(
                    f'<rect x="{x:.1f}" y="{HEIGHT - height:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                    f'fill="{colour}"><title>{escape(day.day.isoformat())}: {value}</title></rect>'
                )
    label = escape(_("Sign-ups, Wi-Fi sign-ups and vouchers collected per day"))
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}" '
        f'preserveAspectRatio="none">{"".join(shapes)}</svg>'
    )
