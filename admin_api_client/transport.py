"""What every call of the client shares: a path segment quoted, a WSGI app called as servers do,
an error answer turned into its exception."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

import httpx

from .errors import BY_STATUS, CoreError

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def segment(value: str) -> str:
    return quote(value, safe="")


def pep3333(app: WSGIApp) -> WSGIApp:
    """httpx's WSGI transport puts the request's decoded path in PATH_INFO as it is, but WSGI
    (PEP 3333) carries it as its UTF-8 bytes read as Latin-1, as servers do: else a character
    beyond Latin-1 makes the app fail, and one within it is read as another."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ["PATH_INFO"] = environ["PATH_INFO"].encode("utf-8").decode("latin-1")
        return app(environ, start_response)

    return wsgi


def error_from(response: httpx.Response) -> CoreError:
    try:
        error = response.json()["error"]
        code, message = str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        code, message = "http_error", response.text[:200]
    return BY_STATUS.get(response.status_code, CoreError)(code, message, response.status_code)
