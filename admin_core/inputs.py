"""The core's edge, whatever the endpoint (API, staff pages, embed): text in a request holds no
control character (loyalty_common.inputs), and an id in a path fits the database's integer."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.routing import IntegerConverter, Map

from loyalty_common.inputs import control_character_in

from .api import PREFIX, error_response
from .database import MAX_ID


class IdConverter(IntegerConverter):
    """`<int:…>` in the core's routes is an id: above the largest one the route does not match."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_inputs(app: Flask) -> None:
    """Before any route is added: the converter applies to the routes added after it."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_control_characters)


def _refuse_control_characters() -> ResponseReturnValue | None:
    where = control_character_in(request)
    if where is None:
        return None
    if request.path.startswith(PREFIX):
        return error_response(
            422,
            "invalid_text",
            "Text may not hold control characters (tab and line breaks aside).",
            fields={where: ["Holds a control character."]},
        )
    return render_template("staff/message.html", title_key="invalid_text"), 400
