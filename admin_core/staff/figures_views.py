"""A store's figures for its manager (every store for the merchant's admin): a small chart and the
numbers behind it."""

from __future__ import annotations

from flask import abort, render_template, request

from ..context import current_core
from ..errors import NotFound
from ..models import StaffLevel
from ..services.figures import store_figures
from .auth import current_scope, staff_required
from .blueprint import bp
from .chart import bar_chart


@bp.route("/figures")
@staff_required(StaffLevel.ADMIN, StaffLevel.MANAGER)
def figures() -> str:
    scope = current_scope()
    code = request.args.get("store") or None
    with current_core().db.read() as session:
        try:
            found = store_figures(session, scope, code)
        except NotFound:
            abort(404)
        stores = scope.stores(session)
    return render_template("staff/figures.html", figures=found, stores=stores, chart=bar_chart(found.days))
