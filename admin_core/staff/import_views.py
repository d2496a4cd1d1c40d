"""The merchant's admin imports customers from a file: the dry run says what would happen, line by
line; applying does it. Both are queued for `core run-imports`: the import's page says "Checking
the file…" or "Importing…" and reloads itself until it is done."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..body_limits import takes_customers_file
from ..context import current_core
from ..errors import CoreError, NotFound
from ..models import StaffLevel
from ..services.customer_files import MAX_BYTES
from ..services.customer_import import get_import, recent_imports
from ..services.import_queue import QUEUED, queue_apply, submit
from .auth import current_scope, current_staff, staff_required
from .blueprint import bp
from .messages import refusal

RECENT = 10


@bp.route("/imports", methods=["GET", "POST"])
@takes_customers_file
@staff_required(StaffLevel.ADMIN)
def imports() -> Response | str:
    merchant_id = current_scope().merchant_id
    if request.method == "POST":
        upload = request.files.get("file")
        filename = (upload.filename or "customers") if upload else ""
        content = upload.read(MAX_BYTES + 1) if upload else b""  # one more: the service says "too large"
        try:
            made = submit(current_core().db, merchant_id, filename, content, staff_id=current_staff().id)
        except CoreError as error:
            flash(refusal(error), "error")
            return redirect(url_for(".imports"))
        return redirect(url_for(".import_report", import_id=made.id))
    with current_core().db.read() as session:
        recent = recent_imports(session, merchant_id, RECENT)
    return render_template("staff/imports.html", recent=recent)


@bp.route("/imports/<int:import_id>", methods=["GET"])
@staff_required(StaffLevel.ADMIN)
def import_report(import_id: int) -> str:
    try:
        with current_core().db.read() as session:
            found = get_import(session, current_scope().merchant_id, import_id)
    except NotFound:
        abort(404)
    return render_template(
        "staff/import_report.html",
        upload=found,
        report=found.report,
        waiting=found.status in QUEUED,
        currency=current_staff().merchant.currency,
    )


@bp.route("/imports/<int:import_id>/apply", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def import_apply(import_id: int) -> Response:
    try:
        queue_apply(current_core().db, current_scope().merchant_id, import_id)
    except NotFound:
        abort(404)
    except CoreError as error:
        flash(refusal(error), "error")
    return redirect(url_for(".import_report", import_id=import_id))
