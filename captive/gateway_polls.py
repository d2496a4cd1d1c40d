"""openNDS FAS level 3: the gateway's authmon daemon POSTs to the FAS URL, the splash's own address
(`auth_get`, `gatewayhash`, `payload` in base64), every few seconds:

- `view` with payload `none`: answered `*` and a line per device to let online (the list stays);
- `view` with payload `* rhid rhid…`: the devices it let online; their visits are stored now;
- `list`: the list, which the gateway takes over (acknowledged at once);
- `clear` (at its start): the grants it was sent before are stale;
- `deauthed` (a session ended): acknowledged; nothing is kept of it.

`gatewayhash` is the SHA-256 of the gateway's URL-encoded name: a gateway is known here once a
guest of its signed up, their redirect having decrypted with the hotspot's faskey. Any other hash
is refused (403) with nothing said, as is a poll of a hotspot that is not at level 3; while the
hotspot knows no gateway at all, polls are answered as a gateway's with nothing waiting. openNDS'
forward_authentication_service/libs/authmon.sh and fas-aes/fas-aes-https.php are the other side."""

from __future__ import annotations

import logging

from werkzeug.wrappers import Response

from admin_api_client import NotFound, Splash
from portal.core import core_client
from portal.customer.emails import send_wifi_confirmation_email
from portal.links import site_url

from .adapters.opennds import AUTHMON_BATCH, RHID, acknowledged, auth_list
from .blueprint import confirmation_secret

log = logging.getLogger(__name__)
ACTIONS = frozenset({"view", "list", "clear", "deauthed", "custom"})


def _text(body: str, status: int = 200) -> Response:
    return Response(body, status, mimetype="text/plain")


def _refused() -> Response:
    return _text("", 403)


def answer_gateway(splash: Splash, form: dict[str, str]) -> Response:
    action = form.get("auth_get", "")
    gateway_hash = form.get("gatewayhash", "")
    if splash.kind != "opennds" or splash.settings.get("fas_level") != 3 or not RHID.match(gateway_hash):
        return _refused()
    if action not in ACTIONS:
        return _text("Unknown auth_get.", 400)
    grants = core_client().wifi.grants
    try:
        if action in ("view", "list"):
            return _list_or_acknowledge(splash, gateway_hash, action, form.get("payload", ""))
        if action == "clear":
            grants.clear(splash.id, gateway_hash)
            return _text("")
    except NotFound:
        return _refused()
    if grants.pending(splash.id, gateway_hash, limit=1) is None:
        return _refused()
    return _text("ack")


def _list_or_acknowledge(splash: Splash, gateway_hash: str, action: str, payload: str) -> Response:
    grants = core_client().wifi.grants
    try:
        done = acknowledged(payload)
    except ValueError:
        return _text("The payload is not base64 text.", 400)
    if action == "view" and done is not None:
        if done:
            _acknowledge(splash, gateway_hash, done)
        elif grants.pending(splash.id, gateway_hash, limit=1) is None:
            return _refused()
        return _text("ack")
    waiting = grants.pending(splash.id, gateway_hash, limit=AUTHMON_BATCH)
    if waiting is None:
        return _refused()
    if action == "list" and waiting:
        _acknowledge(splash, gateway_hash, [grant.rhid for grant in waiting])
    rows = [(g.rhid, g.session_minutes, g.up_kbps, g.down_kbps, g.quota_mb) for g in waiting]
    return _text(auth_list(rows, f"hotspot={splash.id}"))


def _acknowledge(splash: Splash, gateway_hash: str, rhids: list[str]) -> None:
    """The gateway let these devices online: their visits are stored, and each new card's address
    gets the link that confirms it. NotFound for a gateway not known here."""
    # The secret of each new card's confirmation link, found again from its grant: the core keeps
    # only its hash.
    confirmations = {rhid: confirmation_secret(f"grant:{rhid}") for rhid in rhids}
    for visit in core_client().wifi.grants.acknowledge(splash.id, gateway_hash, confirmations):
        link = site_url("captive.confirm", hotspot=splash.id, token=confirmations[visit.rhid])
        send_wifi_confirmation_email(visit.email, splash.store_name, link, visit.confirm_until, visit.locale)
    log.info("Hotspot %s: its gateway let %d device(s) online", splash.id, len(rhids))
