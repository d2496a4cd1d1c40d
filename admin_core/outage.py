"""The database not answering (down, unreachable, its pool exhausted): every caller is told "back in
a moment" with a 503, as the portal tells its customers, instead of a server error. The API
answers its JSON error; the staff UI a page of its own that needs nothing from the database: it
is rendered without the template context processors, since Flask-Login's looks up the staff member
for every template."""

from __future__ import annotations

from flask import Flask, current_app, make_response, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.wrappers import Response

from .api import PREFIX, error_response

RETRY_AFTER = "30"  # seconds: a restarting database is usually back within this


def database_down(error: Exception) -> Response:
    current_app.logger.error("The database did not answer: %s", error)
    if request.path.startswith(PREFIX):
        response = error_response(503, "unavailable", "The database is not answering. Try again in a minute.")
    else:
        page = current_app.jinja_env.get_template("staff/unavailable.html").render()
        response = make_response(page, 503)
    response.headers["Retry-After"] = RETRY_AFTER
    return response


def init_outage(app: Flask) -> None:
    app.register_error_handler(OperationalError, database_down)
    app.register_error_handler(PoolTimeout, database_down)
