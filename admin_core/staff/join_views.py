"""An invited person's first visit: the mailed link opens a page that asks their password (only
its button acts, so a mail scanner spends nothing), then they are logged in."""

from __future__ import annotations

from flask import current_app, render_template
from werkzeug.wrappers import Response

from ..context import current_core
from ..errors import Gone, Invalid
from ..services import staff_invitations
from .blueprint import bp
from .forms import NewPasswordForm
from .messages import refusal
from .views import security_log, start_session


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str) -> Response | str | tuple[str, int]:
    core = current_core()
    secret, lifetime = current_app.secret_key or "", core.settings.staff_invitation_max_age
    form = NewPasswordForm()
    try:
        member = staff_invitations.invited_account(core.db, secret, token, lifetime)
        if form.validate_on_submit():
            staff = staff_invitations.join(
                core.db, core.passwords, secret, token, form.new.data or "", lifetime
            )
            return start_session(staff, verified=not staff.merchant.staff_2fa_required)
    except Gone as error:
        security_log.warning("Staff invitation link refused: %s", error.code)
        return render_template("staff/join_gone.html", code=error.code), 410
    except Invalid as error:
        form.new.errors.append(refusal(error))
    return render_template("staff/join.html", form=form, member=member), 422 if form.errors else 200
