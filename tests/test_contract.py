"""The client's models against the core's OpenAPI document: every field a client model has is a
property the core documents (at the path the model reads it from), and a field the model cannot
do without (not Optional) is one the core always sends (required). A model added to the client
without a row here fails the last test: the contract covers the whole client."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import typing
from typing import Any

import pytest
from flask import Flask

import admin_api_client
from admin_api_client import customers, imports, models, program, settings, wallet, wifi
from admin_api_client import wifi_grants as grants
from loyalty_common import tickets

# A client model, the schema it is read from, and where a field is read when not under its own
# name: a dotted path into the schema, or None for a field the client derives (explained). A path
# ending in "?" is one the core may leave out, which the client knows how to do without.
CONTRACT: list[tuple[type, str, dict[str, str | None]]] = [
    (models.Balances, "Balances", {}),
    (
        models.Card,
        "Card",
        {
            "first_name": "holder.first_name",
            "last_name": "holder.last_name",
            "email": "holder.email",
            "locale": "holder.locale",
        },
    ),
    (models.Coupon, "Coupon", {}),
    (models.HistoryEntry, "HistoryEntry", {"store_code": "store.code", "store_name": "store.name"}),
    (models.HistoryPage, "HistoryPage", {}),
    # The portal's merchant is a Merchant and the wallets it offers (the settings' answer has none).
    (models.Merchant, "PortalMerchant", {"wallets": "wallets?"}),
    (models.Offers, "Offers", {}),
    (
        models.Operation,
        "OperationResult",
        {
            **{name: f"operation.{name}" for name in ("id", "kind", "points", "credit", "discount")},
            "store": "operation.store",
            "created_at": "operation.created_at",
            "purchase_amount": "operation.purchase_amount",
            "reverses": "operation.reverses",
            "replayed": None,  # the Idempotent-Replayed header
        },
    ),
    (models.Pass, "Pass", {}),
    (models.Profile, "Profile", {}),
    (
        models.Signup,
        "JoinResult",
        {"created": "outcome", "card_number": "card", "activation": "token"},
    ),
    # An activation answers a ticket only when card and e-mail matched, and a notice when the card
    # has a password already: the client tells them apart and makes neither otherwise.
    (
        tickets.ActivationTicket,
        "ActivationTicket",
        {name: f"{name}?" for name in ("token", "email", "first_name", "expires_at")},
    ),
    (tickets.ActiveCardNotice, "ActivationTicket", {"email": "email?", "first_name": "first_name?"}),
    (tickets.EmailChangeTicket, "EmailChangeTicket", {}),
    # No card has the address: no ticket (the client answers None), and only `cards` is sent.
    (tickets.ResetTicket, "ResetTicket", {"email": "email?", "expires_at": "expires_at?"}),
    (tickets.ResetLink, "ResetLink", {}),
    (program.Campaign, "Campaign", {}),
    (program.Catalogue, "CardCatalogue", {}),
    (program.Dashboard, "Dashboard", {}),
    (program.ExpiringPoints, "Expiring", {}),
    (program.Reward, "RewardOffer", {}),
    (program.StampProgress, "StampProgress", {}),
    (program.TierProgress, "Tier", {}),
    (program.Voucher, "Voucher", {}),
    (program.VoucherResult, "VoucherResult", {"replayed": None}),  # the Idempotent-Replayed header
    (settings.Program, "Program", {}),
    (settings.Level, "Level", {}),
    (wifi.ConfirmedCard, "Confirmed", {"number": "card"}),
    (wifi.Guest, "Guest", {}),
    (wifi.Hotspot, "Hotspot", {"options": None}),  # every property the model does not name
    (wifi.Splash, "Splash", {"store_code": "store.code", "store_name": "store.name"}),
    (wifi.Visit, "Visit", {"card_number": "card", "replayed": None}),  # the header
    (wifi.Wordings, "Wordings", {}),
    (wallet.UpdatedSerials, "Serials", {}),
    (models.WalletOffers, "WalletOffers", {}),
    (grants.HeldGrant, "Held", {"replayed": None}),  # the header
    (grants.GrantState, "GrantState", {"card_number": "card", "emailed": "emailed?"}),
    (grants.GatewayGrant, "Grant", {}),
    (grants.AcknowledgedVisit, "AcknowledgedVisit", {}),
    (customers.CustomerRow, "CustomerRow", {"store": "store.code"}),
    (customers.CustomerPage, "CustomerPage", {}),
    (customers.CustomerCard, "CustomerCard", {"customer": None}),  # the row's fields, at the top
    (customers.Adjustment, "Adjustment", {}),
    (imports.CustomerImport, "CustomerImport", {}),
    (imports.ImportFailure, "ImportError", {}),
    (imports.ImportReport, "ImportReport", {"preview": "preview?"}),  # reports kept before it had one
    (imports.NewCardPreview, "Preview", {}),
    (imports.Problem, "Problem", {}),
    (imports.Rejection, "RejectedRow", {"problems": "problems?"}),  # the same
]
# Client dataclasses that are not read from JSON.
NOT_FROM_JSON = {settings.Logo, wallet.PassFile}  # bytes and headers: a logo, a pass


@pytest.fixture
def schemas(core_app: Flask) -> dict[str, Any]:
    found: dict[str, Any] = core_app.test_client().get("/api/v1/openapi.json").json["components"]["schemas"]
    return found


def _resolve(schemas: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """A property's schema, through `$ref` and the `allOf: [$ref]` that nullable nesting makes."""
    if "$ref" in node:
        return schemas[node["$ref"].rsplit("/", 1)[-1]]
    for each in node.get("allOf", []) + node.get("anyOf", []) + node.get("oneOf", []):
        if "$ref" in each:
            return schemas[each["$ref"].rsplit("/", 1)[-1]]
    return node


def _property(schemas: dict[str, Any], schema: dict[str, Any], path: str) -> tuple[bool, bool]:
    """Whether the dotted path is documented, and whether every step of it is required."""
    required = True
    node = schema
    for step in path.split("."):
        node = _resolve(schemas, node)
        if step not in node.get("properties", {}):
            return False, False
        required = required and step in node.get("required", [])
        node = node["properties"][step]
    return True, required


def _optional(hint: Any) -> bool:
    return type(None) in typing.get_args(hint)


@pytest.mark.parametrize(
    ("model", "schema_name", "paths"), CONTRACT, ids=[row[0].__name__ for row in CONTRACT]
)
def test_every_field_of_the_client_model_is_documented_by_the_core(
    schemas: dict[str, Any], model: type, schema_name: str, paths: dict[str, str | None]
) -> None:
    schema = schemas[schema_name]
    hints = typing.get_type_hints(model)
    for field in dataclasses.fields(model):
        path = paths.get(field.name, field.name)
        if path is None:
            continue
        documented, required = _property(schemas, schema, path.removesuffix("?"))
        assert documented, f"{model.__name__}.{field.name}: {schema_name} has no {path}"
        if not (path.endswith("?") or _optional(hints[field.name])):
            assert required, f"{model.__name__}.{field.name} needs {schema_name}.{path}, which is optional"


def test_every_client_model_is_in_the_contract() -> None:
    covered = {row[0] for row in CONTRACT} | NOT_FROM_JSON
    found = {
        model
        for module in [*pkgutil.iter_modules(admin_api_client.__path__)]
        for _, model in inspect.getmembers(
            importlib.import_module(f"admin_api_client.{module.name}"), inspect.isclass
        )
        if dataclasses.is_dataclass(model)
        and model.__module__.startswith(("admin_api_client", "loyalty_common"))
    }
    assert found - covered == set()
