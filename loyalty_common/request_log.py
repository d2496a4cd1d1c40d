"""One request id per request, in every line the app logs while answering it and in the answer's
`X-Request-Id` header. The site sends its id to the core with each call (the composition root
gives the client `current_request_id`), so one customer's click reads the same in both logs; an
id from a proxy in front is kept when it looks like one."""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

HEADER = "X-Request-Id"
LOOKS_LIKE_AN_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
FORMAT = "[%(asctime)s] %(levelname)s %(request_id)s %(name)s: %(message)s"


def current_request_id() -> str | None:
    """This request's id, named on first use: the proxy's, or a new one. None outside a request."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        given = request.headers.get(HEADER, "")
        g.request_id = given if LOOKS_LIKE_AN_ID.match(given) else uuid.uuid4().hex
    named: str = g.request_id
    return named


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


def init_request_log(app: Flask) -> None:
    """The app's logger (Flask's, which logs every 500) writes the request id of each line; so do
    the loggers of the app's own packages, which propagate to it."""

    @app.after_request
    def say_the_request_id(response: Response) -> Response:
        response.headers[HEADER] = current_request_id() or ""
        return response

    if not any(isinstance(each, RequestIdFilter) for each in default_handler.filters):
        default_handler.addFilter(RequestIdFilter())
        default_handler.setFormatter(logging.Formatter(FORMAT))
