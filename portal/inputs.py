"""The site's edge: no text in a request holds a control character (tab and line breaks aside),
whatever the page; such a request gets a 400 page and goes no further. The same rule as the
core's (admin_core.inputs), repeated here because the site does not import the core; the site
takes no JSON or files, so it looks at the path's arguments, the query, the form and the headers."""

from __future__ import annotations

import re
from itertools import chain

from flask import Flask, render_template, request

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def init_inputs(app: Flask) -> None:
    app.before_request(_refuse_control_characters)


def _refuse_control_characters() -> tuple[str, int] | None:
    sent = chain(
        (request.view_args or {}).items(),
        request.args.items(multi=True),
        request.form.items(multi=True),
        request.headers.items(),
    )
    for name, value in sent:
        if CONTROL.search(name) or (isinstance(value, str) and CONTROL.search(value)):
            return render_template("errors/400.html"), 400
    return None
