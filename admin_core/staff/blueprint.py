"""The staff UI's blueprint: its pages check CSRF, speak the staff member's language, and show
refusals as pages, not JSON."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from .limits import retry_after

bp = Blueprint("staff", __name__, template_folder="templates")
csrf = CSRFProtect()


@bp.record_once
def _init_csrf(state: object) -> None:
    csrf.init_app(state.app)  # type: ignore[attr-defined]


@bp.before_request
def _check_csrf() -> None:
    if request.method == "POST":
        csrf.protect()


@bp.app_errorhandler(CSRFError)
def _form_expired(_error: CSRFError) -> tuple[str, int]:
    return render_template("staff/message.html", title_key="expired"), 400


@bp.errorhandler(413)
def _too_large(_error: Exception) -> tuple[str, int]:
    return render_template("staff/message.html", title_key="too_large"), 413


@bp.errorhandler(429)
def too_many_attempts(_error: Exception) -> tuple[str, int, dict[str, str]]:
    seconds = retry_after()
    return render_template("staff/too_many.html", seconds=seconds), 429, {"Retry-After": str(seconds)}


def forbidden(_error: Exception) -> tuple[str, int]:
    return render_template("staff/message.html", title_key="forbidden"), 403


def not_found(_error: Exception) -> tuple[str, int]:
    return render_template("staff/message.html", title_key="not_found"), 404


bp.register_error_handler(403, forbidden)
bp.register_error_handler(404, not_found)
