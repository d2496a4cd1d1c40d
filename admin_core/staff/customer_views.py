"""Staff find a customer (every level: a customer of any store may come to this one's till): a
search box, filters, a page of cards, each linking to its till page; the admin also opens the
customer card."""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from ..context import current_core
from ..errors import Invalid
from ..models import CustomerSource, StaffLevel
from ..services.customer_export import export_customers
from ..services.customer_groups import all_groups
from ..services.customer_search import MAX_QUERY, CustomerFilters, CustomerPage, home_stores, search_customers
from .auth import current_scope, current_staff, staff_required
from .blueprint import bp
from .customer_card_views import card_page
from .messages import refusal

CONSENT = {"": None, "yes": True, "no": False}
SOURCES = {"": None, **{source.value: source for source in CustomerSource}}
GROUP_ID = re.compile(r"^[1-9][0-9]{0,9}$")


def _filters() -> CustomerFilters:
    """The page's filters from its address; a value the form never offers is refused (a group
    is offered to the admin only)."""
    marketing, source = request.args.get("marketing", ""), request.args.get("source", "")
    group = request.args.get("group", "")
    admin = current_scope().level is StaffLevel.ADMIN
    if marketing not in CONSENT or source not in SOURCES or (group and not (admin and GROUP_ID.match(group))):
        raise Invalid("invalid_filter", "Choose the filters from the lists.")
    store = request.args.get("store") or None
    return CustomerFilters(CONSENT[marketing], SOURCES[source], store, int(group) if group else None)


@bp.route("/customers")
@staff_required()
def customers() -> tuple[str, int]:
    query = request.args.get("q", "").strip()
    cursor = request.args.get("cursor") or None
    page, problem = CustomerPage([], None, None), None
    with current_core().db.read() as session:
        stores = home_stores(session, current_scope())
        admin = current_scope().level is StaffLevel.ADMIN
        groups = all_groups(session, current_scope().merchant_id) if admin else []
        try:
            page = search_customers(session, current_scope(), query, _filters(), cursor)
        except Invalid as error:
            problem = refusal(error)
    return render_template(
        "staff/customers.html",
        page=page,
        problem=problem,
        query=query,
        stores=stores,
        groups=groups,
        sources=[source.value for source in CustomerSource],
        merchant=current_staff().merchant,
        max_query=MAX_QUERY,
    ), 422 if problem else 200


@bp.route("/customers/<number>")
@staff_required(StaffLevel.ADMIN)
def customer(number: str) -> Response | tuple[str, int]:
    return card_page(number)


# The export's columns (services/customer_export.py's), named in the staff member's language.
EXPORT_HEADER = (
    _l("Card number"),
    _l("First name"),
    _l("Last name"),
    _l("Home store"),
    _l("Signed up from"),
    _l("Signed up at (UTC)"),
    _l("Points"),
    _l("Prepaid credit"),
    _l("Discount"),
    _l("Marketing consent"),
    _l("E-mail (only with marketing consent)"),
    _l("Phone (only with marketing consent)"),
)


@bp.route("/customers/export.csv")
@staff_required(StaffLevel.ADMIN)
def customers_export() -> Response:
    """The customers the page's search and filters find, as CSV, streamed."""
    query = request.args.get("q", "").strip()
    try:
        chunks = export_customers(
            current_core().db, current_scope(), query, _filters(), [str(name) for name in EXPORT_HEADER]
        )
    except Invalid as error:
        flash(refusal(error), "error")
        return redirect(f"{url_for('.customers')}?{request.query_string.decode()}")
    return Response(
        chunks, mimetype="text/csv", headers={"Content-Disposition": 'attachment; filename="customers.csv"'}
    )
