"""Request and response bodies of the API; the OpenAPI document is generated from these."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from loyalty_common.rules import MAX_PASSWORD

from ..models import Card, Merchant, Operation, OperationKind, TokenPurpose
from ..services.ledger import MAX_MONEY, MAX_POINTS, POSTED


def bounds(limits: tuple[int, int]) -> dict[str, int]:
    """The document's statement of a range the services check themselves (with their own error
    codes), for fields that carry no validator."""
    return {"minimum": limits[0], "maximum": limits[1]}


def translations_field(texts: str) -> fields.Dict:
    """A row's texts in the portal's other languages (services/translations.py): in and out."""
    return fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.String()),
        load_default=dict,
        metadata={
            "description": f"{texts} in the portal's other languages, by language: "
            '{"it": {"name": "…"}}. A language left out, or a blank text, shows the default language\'s.'
        },
    )


class ErrorDetailSchema(Schema):
    code = fields.String(
        required=True, metadata={"description": "Stable machine code, e.g. `card_not_found`"}
    )
    message = fields.String(required=True, metadata={"description": "For people, in English"})
    invalid_fields = fields.Dict(
        data_key="fields",
        metadata={"description": "422 only: the messages of each field that is not valid"},
    )


class ErrorSchema(Schema):
    """The body of every refusal of the API."""

    error = fields.Nested(ErrorDetailSchema, required=True)


class BalancesSchema(Schema):
    points = fields.Integer(required=True)
    credit = fields.Integer(required=True, metadata={"description": "Prepaid credit, minor units"})
    discount = fields.Integer(required=True, metadata={"description": "Accumulated discount, minor units"})
    currency = fields.String(required=True)


class HolderSchema(Schema):
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)


class CardSchema(Schema):
    number = fields.String(required=True)
    activated = fields.Boolean(required=True)
    credentials_version = fields.Integer(
        required=True,
        metadata={"description": "Changes whenever the portal password changes"},
    )
    holder = fields.Nested(HolderSchema, required=True)
    balances = fields.Nested(BalancesSchema, required=True)
    tier = fields.String(allow_none=True)


class OperationInSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf([*(kind.value for kind in POSTED), OperationKind.PURCHASE.value]),
        metadata={
            "description": "`purchase`: the receipt's amount, whose points the program computes "
            "(the rate times the tier multiplier and the highest campaign multiplier at the store, "
            "rounded down)"
        },
    )
    amount = fields.Integer(
        required=True,
        strict=True,
        metadata={
            "description": f"Points for *_points kinds (at most {MAX_POINTS}), cents for *_credit kinds "
            "and for a purchase",
            **bounds((1, MAX_MONEY)),
        },
    )
    store = fields.String(required=True, validate=validate.Length(1, 32))
    discount = fields.Integer(
        load_default=0,
        strict=True,
        validate=validate.Range(0, MAX_MONEY),
        metadata={"description": "Discount granted on this purchase, minor units"},
    )


class OperationSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.Enum(OperationKind, by_value=True, required=True)
    points = fields.Integer(required=True)
    credit = fields.Integer(required=True)
    discount = fields.Integer(required=True)
    store = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    purchase_amount = fields.Integer(allow_none=True, metadata={"description": "A purchase's, minor units"})
    reverses = fields.Integer(allow_none=True, metadata={"description": "A void: the operation it reverses"})


class FactorSchema(Schema):
    name = fields.String(required=True)
    multiplier = fields.Float(required=True)


class CalculationSchema(Schema):
    """How a purchase's points were computed: the amount times the rate and the tier and campaign
    multipliers, rounded down."""

    amount = fields.Integer(required=True, metadata={"description": "Minor units"})
    currency = fields.String(required=True)
    store = fields.String(required=True)
    rate = fields.Integer(required=True, metadata={"description": "Points per currency unit"})
    store_rate = fields.Boolean(required=True, metadata={"description": "The store's own rate"})
    tier = fields.Nested(FactorSchema, allow_none=True, metadata={"description": "None: x1"})
    campaign = fields.Nested(FactorSchema, allow_none=True, metadata={"description": "None: x1"})
    points = fields.Integer(required=True)


class OperationResultSchema(Schema):
    operation = fields.Nested(OperationSchema, required=True)
    balances = fields.Nested(BalancesSchema, required=True)
    calculation = fields.Nested(CalculationSchema, allow_none=True, metadata={"description": "A purchase's"})


class Locales(fields.Field):
    """The merchants table keeps offered languages as "en,it"; the API speaks lists."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[str]:
        return str(value).split(",") if value else []


class StoreSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class MerchantSchema(Schema):
    """A merchant as its portal shows it: the look, languages, embedding and program rules."""

    slug = fields.String(required=True)
    name = fields.String(required=True)
    portal_enabled = fields.Boolean(required=True)
    currency = fields.String(required=True)
    default_locale = fields.String(required=True)
    timezone = fields.String(required=True)
    header_text = fields.String(required=True)
    footer_text = fields.String(required=True)
    accent_color = fields.String(required=True, metadata={"description": "#rrggbb"})
    accent_text_color = fields.String(required=True, metadata={"description": "Text on the accent, #rrggbb"})
    offered_locales = Locales(required=True, metadata={"type": "array", "items": {"type": "string"}})
    embed_origins = fields.List(
        fields.String(), required=True, metadata={"description": "May frame the portal"}
    )
    points_per_unit = fields.Integer(required=True, metadata={"description": "Per currency unit spent"})
    points_validity_months = fields.Integer(allow_none=True, metadata={"description": "None: never expire"})
    tier_period_months = fields.Integer(required=True)
    terms_url = fields.String(allow_none=True)
    privacy_url = fields.String(allow_none=True)
    staff_2fa_required = fields.Boolean(required=True)
    logo_digest = fields.String(
        allow_none=True, metadata={"description": "SHA-256 of the logo; None: no logo"}
    )


class WalletOffersSchema(Schema):
    apple = fields.Boolean(required=True, metadata={"description": "An Apple Wallet pass is offered"})
    google = fields.Boolean(required=True, metadata={"description": "Saving to Google Wallet is offered"})


class PortalMerchantSchema(MerchantSchema):
    """The merchant as the portal's pages need it, with the wallets its cards can go into."""

    wallets = fields.Nested(WalletOffersSchema, required=True)


Password = fields.String(required=True, validate=validate.Length(1, MAX_PASSWORD))
CardNumber = fields.String(required=True, validate=validate.Length(1, 64))


class LoginSchema(Schema):
    card = CardNumber
    password = Password


class ActivationStartSchema(Schema):
    card = CardNumber
    email = fields.String(required=True, validate=validate.Length(1, 254))
    password = Password


class ActivationTicketSchema(Schema):
    token = fields.String(allow_none=True)
    already_active = fields.Boolean(
        required=True,
        metadata={"description": "The card has a password: no link; tell its owner at `email`"},
    )
    email = fields.String(allow_none=True)
    first_name = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)


class TokenSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(1, 200))


class LinkCheckSchema(TokenSchema):
    purpose = fields.Enum(TokenPurpose, by_value=True, required=True)


class MailSchema(Schema):
    to = fields.Email(required=True)
    subject = fields.String(required=True, validate=validate.Length(1, 255))
    text = fields.String(required=True, validate=validate.Length(1, 100_000))
    html = fields.String(load_default=None, validate=validate.Length(max=300_000))


class QueuedSchema(Schema):
    id = fields.Integer(required=True)


def balances(card: Card, merchant: Merchant) -> dict[str, Any]:
    return {
        "points": card.points,
        "credit": card.credit,
        "discount": card.discount,
        "currency": merchant.currency,
    }


def card_body(card: Card, merchant: Merchant, tier: str | None = None) -> dict[str, Any]:
    customer = card.customer
    return {
        "number": card.number,
        "activated": card.activated_at is not None,
        "credentials_version": card.credentials_version,
        "holder": {
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "email": customer.email,
            "locale": customer.locale,
        },
        "balances": balances(card, merchant),
        "tier": tier,
    }


def operation_body(
    operation: Operation, card: Card, merchant: Merchant, calculation: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = OperationResultSchema().dump(
        {
            "operation": {
                "id": operation.id,
                "kind": operation.kind,
                "points": operation.points,
                "credit": operation.credit,
                "discount": operation.discount,
                "store": operation.store.code if operation.store else None,
                "created_at": operation.created_at,
                "purchase_amount": operation.purchase_amount,
                "reverses": operation.reverses_id,
            },
            "balances": balances(card, merchant),
            "calculation": calculation,
        }
    )
    return body
