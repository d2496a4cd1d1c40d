"""The versioned JSON API under /api/v1 (mounted at /core/api/v1 on the site)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from ..errors import CoreError, InvalidFields
from .schemas import ErrorSchema

PREFIX = "/api/v1"
SPEC_OPTIONS: dict[str, Any] = {
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
    "security": [{"bearer": []}],
    "info": {
        "description": "Cards, balances and the ledger of a loyalty program. Errors are "
        '`{"error": {"code": "...", "message": "..."}}`. Money is in minor units (cents). '
        "A merchant's key acts for that merchant; a site key names the merchant in the "
        "`X-Merchant` header and may also call `/portal/*`."
    },
}


def error_response(status: int, code: str, message: str, **extra: Any) -> Response:
    response = jsonify({"error": {"code": code, "message": message, **extra}})
    response.status_code = status
    return response


class CoreApi(Api):
    ERROR_SCHEMA = ErrorSchema  # documents every error response as `error_response` sends it

    def handle_http_exception(self, error: HTTPException) -> Response | HTTPException:
        if not request.path.startswith(PREFIX):
            return error
        data = getattr(error, "data", None) or {}
        status = error.code or 500
        if status == 400 and "json" in data.get("messages", {}):
            return error_response(400, "invalid_json", "The request body is not valid JSON.")
        if status == 422:
            fields = data.get("messages", {}).get("json", data.get("messages", {}))
            return error_response(422, "invalid", "Some fields are not valid.", fields=fields)
        code = (error.name or "error").lower().replace(" ", "_")
        response = error_response(status, code, data.get("message") or error.description or code)
        # The exception's own headers (a 405's `Allow`) and any an `abort` passed along.
        headers = [*error.get_headers(), *(data.get("headers") or {}).items()]
        for name, value in headers:
            if name.lower() != "content-type":
                response.headers[name] = value
        return response


def init_api(app: Flask) -> None:
    from . import (
        cards,
        coupon_uses,
        customer_changes,
        customer_groups,
        customers,
        history,
        hotspots,
        imports,
        merchant,
        offers,
        passes,
        portal,
        portal_cards,
        profile,
        program_admin,
        resets,
        reward_admin,
        rewards,
        signup,
        stamp_cards,
        stores,
        team,
        wallet_admin,
        wallet_google_admin,  # noqa: F401  (its routes are on wallet_admin's blueprint)
        wallet_passes,
        wallet_service,
        wifi,
        wifi_grants,
    )

    app.config.update(
        API_TITLE="loyalty-portal core",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS=SPEC_OPTIONS,
    )
    api = CoreApi(app)
    api.register_blueprint(cards.blp, url_prefix=f"{PREFIX}/cards")
    api.register_blueprint(portal.blp, url_prefix=f"{PREFIX}/portal")
    api.register_blueprint(profile.blp, url_prefix=f"{PREFIX}/portal")
    api.register_blueprint(resets.blp, url_prefix=f"{PREFIX}/portal")
    api.register_blueprint(signup.blp, url_prefix=f"{PREFIX}/portal")
    api.register_blueprint(history.blp, url_prefix=f"{PREFIX}/portal/cards")
    api.register_blueprint(offers.blp, url_prefix=f"{PREFIX}/portal/cards")
    api.register_blueprint(portal_cards.blp, url_prefix=f"{PREFIX}/portal/cards")
    api.register_blueprint(wallet_passes.blp, url_prefix=f"{PREFIX}/portal/cards")
    api.register_blueprint(rewards.rewards_blp, url_prefix=f"{PREFIX}/rewards")
    api.register_blueprint(reward_admin.blp, url_prefix=f"{PREFIX}/rewards")
    api.register_blueprint(reward_admin.site_blp, url_prefix=f"{PREFIX}/portal/rewards")
    api.register_blueprint(rewards.vouchers_blp, url_prefix=f"{PREFIX}/vouchers")
    api.register_blueprint(hotspots.blp, url_prefix=f"{PREFIX}/hotspots")
    api.register_blueprint(imports.blp, url_prefix=f"{PREFIX}/customers/imports")
    api.register_blueprint(customers.blp, url_prefix=f"{PREFIX}/customers")
    api.register_blueprint(customer_changes.blp, url_prefix=f"{PREFIX}/customers")
    api.register_blueprint(customer_groups.blp, url_prefix=PREFIX)
    api.register_blueprint(wifi.blp, url_prefix=f"{PREFIX}/wifi")
    api.register_blueprint(wifi_grants.blp, url_prefix=f"{PREFIX}/wifi")
    api.register_blueprint(merchant.blp, url_prefix=f"{PREFIX}/merchant")
    api.register_blueprint(merchant.site_blp, url_prefix=f"{PREFIX}/portal/merchant")
    api.register_blueprint(team.blp, url_prefix=PREFIX)
    api.register_blueprint(program_admin.blp, url_prefix=PREFIX)
    api.register_blueprint(passes.blp, url_prefix=PREFIX)
    api.register_blueprint(coupon_uses.blp, url_prefix=PREFIX)
    api.register_blueprint(stamp_cards.blp, url_prefix=PREFIX)
    api.register_blueprint(stores.blp, url_prefix=PREFIX)
    api.register_blueprint(wallet_admin.blp, url_prefix=f"{PREFIX}/merchant/wallet")
    api.register_blueprint(wallet_service.blp, url_prefix=f"{PREFIX}/wallet/apple")

    @app.errorhandler(CoreError)
    def core_error(error: CoreError) -> Response:
        extra = {"fields": error.fields} if isinstance(error, InvalidFields) else {}
        return error_response(error.status, error.code, error.message, **extra)
