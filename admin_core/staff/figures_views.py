"""A store's figures for its manager (every store, or one, for the merchant's admin) over a chosen
period: the summary, a chart, the numbers behind it, and the same numbers as CSV."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..context import current_core
from ..errors import CoreError, NotFound
from ..models import StaffLevel
from ..services.figures import Figures, as_csv, store_figures
from .auth import current_scope, current_staff, staff_required
from .blueprint import bp
from .chart import bar_chart
from .messages import refusal


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    store = SelectField(_l("Store"), validate_choice=False)
    first = DateField(_l("From"), validators=[Optional()])
    last = DateField(_l("To"), validators=[Optional()])


def _figures(form: PeriodForm) -> Figures:
    with current_core().db.read() as session:
        try:
            return store_figures(
                session, current_scope(), form.store.data or None, first=form.first.data, last=form.last.data
            )
        except NotFound:
            abort(404)


@bp.route("/figures")
@staff_required(StaffLevel.ADMIN, StaffLevel.MANAGER)
def figures() -> str | tuple[str, int]:
    scope = current_scope()
    form = PeriodForm(request.args)
    with current_core().db.read() as session:
        stores = scope.stores(session)
    every = [SelectChoice("", _("Every store"))] if scope.every_store else []
    form.store.choices = every + [SelectChoice(store.code, store.name) for store in stores]
    if not form.validate():
        return render_template("staff/figures.html", form=form, figures=None), 422
    try:
        found = _figures(form)
    except CoreError as error:
        form.last.errors = [refusal(error)]
        return render_template("staff/figures.html", form=form, figures=None), 422
    return render_template(
        "staff/figures.html",
        form=form,
        figures=found,
        chart=bar_chart(found.days),
        currency=current_staff().merchant.currency,
    )


@bp.route("/figures.csv")
@staff_required(StaffLevel.ADMIN, StaffLevel.MANAGER)
def figures_csv() -> Response:
    form = PeriodForm(request.args)
    if not form.validate():
        abort(400)
    try:
        found = _figures(form)
    except CoreError:
        abort(400)
    name = f"figures-{found.store or 'all'}-{found.first.isoformat()}-{found.last.isoformat()}.csv"
    return Response(
        as_csv(found),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
