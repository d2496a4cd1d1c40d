"""Apple's PassKit web service at /wallet/apple/v1/… (the pass's webServiceURL), as Apple
specifies it: devices register and unregister a pass (`Authorization: ApplePass <token>`), ask
which of their passes changed since a tag, fetch the latest pass (304 when unchanged), and send
their logs. The registrations live in the core; this is the translation to Apple's shapes."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from admin_api_client import Invalid, NotFound, Unauthorized

from .core import core_client
from .customer.wallet_views import site_root
from .extensions import csrf

bp = Blueprint("wallet_service", __name__, url_prefix="/wallet/apple/v1")
csrf.exempt(bp)  # devices send no forms; the pass's token is their credential
LOGGED = 20  # entries of one log request
LOG_LINE = 500


@bp.errorhandler(NotFound)
def _unknown(_error: NotFound) -> tuple[str, int]:
    return "", 404


@bp.errorhandler(Unauthorized)
def _refused(_error: Unauthorized) -> tuple[str, int]:
    return "", 401


@bp.errorhandler(Invalid)
def _invalid(_error: Invalid) -> tuple[str, int]:
    return "", 400


def _token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "ApplePass" or not token.strip():
        raise Unauthorized("invalid_pass_token", "No ApplePass token.")
    return token.strip()


@bp.route("/devices/<device>/registrations/<pass_type>/<serial>", methods=["POST"])
def register(device: str, pass_type: str, serial: str) -> tuple[str, int]:
    token = _token()
    body = request.get_json(silent=True)
    push_token = body.get("pushToken") if isinstance(body, dict) else None
    if not isinstance(push_token, str):
        return "", 400
    created = core_client().passkit.register_device(device, pass_type, serial, token, push_token)
    return "", 201 if created else 200


@bp.route("/devices/<device>/registrations/<pass_type>/<serial>", methods=["DELETE"])
def unregister(device: str, pass_type: str, serial: str) -> tuple[str, int]:
    core_client().passkit.unregister_device(device, pass_type, serial, _token())
    return "", 200


@bp.route("/devices/<device>/registrations/<pass_type>", methods=["GET"])
def updated(device: str, pass_type: str) -> Response | tuple[str, int]:
    since = request.args.get("passesUpdatedSince")
    found = core_client().passkit.updated_serials(device, pass_type, since)
    if not found.serials:
        return "", 204
    return jsonify({"serialNumbers": found.serials, "lastUpdated": found.last_updated})


@bp.route("/passes/<pass_type>/<serial>", methods=["GET"])
def latest(pass_type: str, serial: str) -> Response:
    served = core_client().passkit.latest_pass(
        pass_type, serial, _token(), site_root(), request.headers.get("If-Modified-Since")
    )
    if served is None:
        return Response(status=304)
    response = Response(served.data, mimetype="application/vnd.apple.pkpass")
    response.last_modified = served.last_modified
    return response


@bp.route("/log", methods=["POST"])
def log() -> tuple[str, int]:
    body = request.get_json(silent=True)
    entries = body.get("logs") if isinstance(body, dict) else None
    for entry in (entries if isinstance(entries, list) else [])[:LOGGED]:
        current_app.logger.info("Apple Wallet device log: %s", str(entry)[:LOG_LINE])
    return "", 200
