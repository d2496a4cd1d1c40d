"""Operations and purchase calculations as staff read them, in their language: "Purchase",
"Reward “Espresso”", and a purchase's points as "€12.50 x 1 pt/EUR x 1.5 (Gold) x 2 (Double week) =
37 points", with the multiplication sign."""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal, format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..models import Operation, OperationKind
from . import money
from .auth import current_staff
from .blueprint import bp

KINDS = {
    OperationKind.PURCHASE: _l("Purchase"),
    OperationKind.EARN_POINTS: _l("Points added"),
    OperationKind.REDEEM_POINTS: _l("Points taken off"),
    OperationKind.TOPUP_CREDIT: _l("Top-up"),
    OperationKind.SPEND_CREDIT: _l("Paid with credit"),
    OperationKind.REWARD: _l("Reward"),
    OperationKind.REWARD_REFUND: _l("Reward given back"),
    OperationKind.EXPIRY: _l("Points expired"),
    OperationKind.ADJUSTMENT: _l("Adjustment"),
    OperationKind.VOID: _l("Void"),
    OperationKind.PASS_SALE: _l("Pass sold"),
    OperationKind.PASS_ENTRY: _l("Pass entry"),
    OperationKind.COUPON_USE: _l("Coupon used"),
    OperationKind.STAMP: _l("Stamps"),
    OperationKind.WELCOME_BONUS: _l("Welcome bonus"),
    OperationKind.VISIT_BONUS: _l("Wi-Fi visit"),
}
TIMES = " \u00d7 "


@bp.app_template_global()
def operation_name(operation: Operation) -> str:
    """The kind in words; a reward's name, a purchase's amount, an adjustment's reason."""
    kind, description = operation.kind, operation.description
    if kind is OperationKind.REWARD and description:
        return _("Reward “%(name)s”", name=description)
    if kind is OperationKind.REWARD_REFUND and description:
        return _("Reward “%(name)s” given back", name=description)
    if kind is OperationKind.STAMP and operation.stamps is not None:
        return ngettext(
            "%(num)d stamp · %(name)s", "%(num)d stamps · %(name)s", operation.stamps, name=description or ""
        )
    if kind is OperationKind.PURCHASE and operation.purchase_amount is not None:
        # An operation's card is of the staff member's merchant: its currency.
        amount = money(operation.purchase_amount, current_staff().merchant.currency)
        return _("Purchase of %(amount)s", amount=amount)
    words = str(KINDS.get(kind, kind.value))
    return f"{words} · {description}" if description else words


def _factors(terms: dict[str, Any]) -> list[str]:
    parts = [_("%(rate)s pt/%(currency)s", rate=format_number(terms["rate"]), currency=terms["currency"])]
    for factor in (terms["tier"], terms["campaign"]):
        if factor:
            parts.append(
                _(
                    "%(multiplier)s (%(name)s)",
                    multiplier=format_decimal(factor["multiplier"]),
                    name=factor["name"],
                )
            )
    return parts


def calculation_text(calculation: dict[str, Any]) -> str:
    """After a purchase: from the calculation the till's answer holds (a replay shows it again)."""
    terms = TIMES.join([money(calculation["amount"], calculation["currency"]), *_factors(calculation)])
    points = calculation["points"]
    return ngettext("%(terms)s = %(num)s point", "%(terms)s = %(num)s points", points, terms=terms)


@bp.app_template_global()
def terms_text(terms: dict[str, Any]) -> str:
    """Before a purchase: what each currency unit earns here, as a formula of the amount."""
    return _("amount × %(factors)s, rounded down", factors=TIMES.join(_factors(terms)))  # noqa: RUF001


@bp.app_template_global()
def multiplier_text(percent: int) -> str:
    """A multiplier kept in hundredths, in the staff member's locale: 150 is "1.5" ("1,5")."""
    return str(format_decimal(percent / 100))
