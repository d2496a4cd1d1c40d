"""The card in a wallet, for the logged-in customer: the Apple pass, or Google's save page; the core
builds and signs both."""

from __future__ import annotations

from flask import Response, abort, current_app, redirect, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from admin_api_client import NotFound

from ..core import merchant_core
from .blueprint import bp
from .session import customer_required


def site_root() -> str:
    """Where the pass's web service and links are: the configured public root, else (debug and
    tests) this request's."""
    return str(current_app.config.get("SITE_URL") or request.url_root).rstrip("/")


@bp.route("/card/wallet/apple")
@customer_required
def apple_wallet() -> Response:
    try:
        served = merchant_core().wallet.apple_pass(current_user.number, site_root())
    except NotFound:
        abort(404)
    response = Response(served.data, mimetype="application/vnd.apple.pkpass")
    response.headers["Content-Disposition"] = 'attachment; filename="card.pkpass"'
    response.last_modified = served.last_modified
    return response


@bp.route("/card/wallet/google")
@customer_required
def google_wallet() -> WerkzeugResponse | tuple[str, int]:
    try:
        url = merchant_core().wallet.google_save_url(current_user.number, site_root())
    except NotFound:
        return render_template("customer/wallet_unavailable.html"), 404
    return redirect(url)
