"""How large a request may be. Every view of the core takes small forms and JSON
(MAX_CONTENT_LENGTH, DEFAULT_LIMIT unless set); a view that takes a customers file says so with
`@takes_customers_file`. The limit is set before anything reads the body: the staff pages' CSRF
check reads the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request

from .services.customer_files import MAX_BYTES

View = TypeVar("View", bound=Callable[..., Any])

DEFAULT_LIMIT = 1024 * 1024  # a form or a JSON body; a logo (256 KB) and its form
FILE_LIMIT = MAX_BYTES + 1024 * 1024  # the largest customers file, and the form around it
MARK = "loyalty_max_content_length"  # attribute of a view function


def takes_customers_file(view: View) -> View:
    setattr(view, MARK, FILE_LIMIT)
    return view


def _limit_body() -> None:
    limit = getattr(current_app.view_functions.get(request.endpoint or ""), MARK, None)
    if limit is not None:
        request.max_content_length = limit


def init_body_limits(app: Flask) -> None:
    app.before_request(_limit_body)
