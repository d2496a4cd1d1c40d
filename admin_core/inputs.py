"""The core's edge, whatever the endpoint (API, staff pages, embed): text in a request holds no
control character, and an id in a path fits the database's integer.

PostgreSQL refuses NUL in text, and no control character belongs in a name, a code or a message;
tab and line breaks are text (a footer, an e-mail's body). Every input is looked at: the path's
arguments, the query, the form and its file names, JSON (keys too) and the headers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

from flask import Flask, Request, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.routing import IntegerConverter, Map

from .api import PREFIX, error_response
from .database import MAX_ID

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class IdConverter(IntegerConverter):
    """`<int:…>` in the core's routes is an id: above the largest one the route does not match."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_inputs(app: Flask) -> None:
    """Before any route is added: the converter applies to the routes added after it."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_control_characters)


def control_character_in(sent: Request) -> str | None:
    """The name of the first input of the request that holds a control character, or None."""
    for name, value in _inputs(sent):
        if CONTROL.search(name) or CONTROL.search(value):
            return name
    return None


def _inputs(sent: Request) -> Iterator[tuple[str, str]]:
    texts: Iterable[tuple[str, Any]] = chain(
        (sent.view_args or {}).items(),
        sent.args.items(multi=True),
        sent.form.items(multi=True),
        ((name, file.filename or "") for name, file in sent.files.items(multi=True)),
        sent.headers.items(),
    )
    yield from ((name, value) for name, value in texts if isinstance(value, str))
    if sent.is_json:
        yield from _json_strings(sent.get_json(silent=True), "")


def _json_strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for name, item in value.items():
            inner = f"{where}.{name}" if where else str(name)
            yield inner, ""  # the key itself, by its name
            yield from _json_strings(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{where}.{index}" if where else str(index))


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
