"""The site's edge: a request with a control character in any of its text (tab and line breaks
aside) gets a 400 page and goes no further; the same rule as the core's."""

from __future__ import annotations

from flask import Flask, render_template, request

from loyalty_common.inputs import control_character_in


def init_inputs(app: Flask) -> None:
    app.before_request(_refuse_control_characters)


def _refuse_control_characters() -> tuple[str, int] | None:
    if control_character_in(request) is not None:
        return render_template("errors/400.html"), 400
    return None
