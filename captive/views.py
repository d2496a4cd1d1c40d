"""The splash: the controller's redirect comes in, the guest signs up (or taps "connect"), the
controller lets the device online, the guest sees "you are online" and goes on to the venue's page.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from admin_api_client import Conflict, Invalid, Splash, Visit
from loyalty_common.error_codes import Code
from loyalty_common.rules import LOCALES
from portal.core import core_client
from portal.customer.emails import send_wifi_confirmation_email
from portal.customer.join_forms import show_core_error
from portal.extensions import csrf
from portal.i18n import current_locale
from portal.limits import client_ip
from portal.links import site_url

from .adapters import ControllerError, ForgedRedirect, FormPost, Grant, GrantRequest, Polled, Redirect
from .blueprint import (
    adapter,
    bp,
    confirmation_secret,
    guest_password,
    incoming,
    landing_url,
    load_splash,
    online_url,
    refused,
)
from .forms import SplashForm, WelcomeBackForm
from .gateway_polls import answer_gateway
from .limits import limit_wifi
from .settings import wifi_settings
from .state import SplashState, StateRefused, new_state, read_state

log = logging.getLogger(__name__)
VISIT = "wifi_visit"  # the session's note of the last visit, for the "you are online" page
FORGED = _l("This sign-in page did not come from the venue's Wi-Fi. Reconnect to the Wi-Fi to start again.")
EXPIRED = _l("This page has expired. Reconnect to the Wi-Fi to start again.")
USED = _l("This sign-in page was used already. If you are not online, reconnect to the Wi-Fi to start again.")
CONTROLLER_DOWN = _l("The Wi-Fi did not let you online just now. Please try again in a moment.")
NOT_LET_ONLINE = _l("The Wi-Fi did not let you online. Reconnect to the Wi-Fi to start again.")


@bp.route("/wifi/<hotspot>", methods=["GET", "POST"])
@csrf.exempt  # a router's login page posts the redirect here; our own form is checked below
@limit_wifi
def splash(hotspot: str) -> Response | str | tuple[str, int]:
    found = load_splash(hotspot)
    if found is None:
        abort(404)
    if request.method == "POST" and "auth_get" in request.form:
        return answer_gateway(found, request.form.to_dict())  # openNDS level 3: the gateway polls
    token = request.form.get("state") if request.method == "POST" else None
    if token:
        csrf.protect()
        try:
            state = read_state(token, hotspot)
        except StateRefused as refusal:
            return refused(EXPIRED if refusal.expired else FORGED, 400)
        if request.form.get("lang") in LOCALES:
            session["locale"] = request.form["lang"]
            return _page(found, state, token)
        return _connect(found, state, token)
    return _arrive(found)


def _arrive(splash: Splash) -> Response | str | tuple[str, int]:
    came = incoming()
    if not came.params:
        # Opened without Wi-Fi: the same sign-up lives on the web.
        return render_template("captive/no_wifi.html", splash=splash), 200
    try:
        arrival = adapter(splash).arrive(splash, came)
    except ForgedRedirect as forged:
        log.warning("Refused a %s redirect to hotspot %s: %s", splash.kind, splash.id, forged.reason)
        return refused(FORGED, 400)
    except ControllerError as error:
        log.warning("Hotspot %s: %s", splash.id, error)
        return refused(CONTROLLER_DOWN, 502)
    if arrival.online:
        return redirect(online_url(splash), 303)
    token, state = new_state(splash.id, arrival)
    return _page(splash, state, token)


def _page(
    splash: Splash,
    state: SplashState,
    token: str,
    form: SplashForm | None = None,
    welcome: WelcomeBackForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The splash: the one-tap "welcome back" for a device seen before, and the sign-up form."""
    guest = None
    if state.arrival.mac and form is None:
        guest = core_client().wifi.find_guest(splash.id, state.arrival.mac)
    if guest is not None and welcome is None:
        welcome = WelcomeBackForm(guest.needs_consent, formdata=None)
    page = render_template(
        "captive/splash.html",
        splash=splash,
        token=token,
        guest=guest,
        form=form or SplashForm(splash.contact, formdata=None),
        welcome=welcome,
    )
    return page, status


def _connect(splash: Splash, state: SplashState, token: str) -> Response | str | tuple[str, int]:
    returning = "returning" in request.form
    form = None
    if returning:
        welcome = WelcomeBackForm(bool(request.form.get("needs_consent")))
        if not welcome.validate():
            return _page(splash, state, token, welcome=welcome, status=422)
        consents = {"terms": bool(welcome.terms.data), "privacy": bool(welcome.privacy.data)}
    else:
        form = SplashForm(splash.contact)
        if not form.validate():
            return _page(splash, state, token, form=form, status=422)
        consents = {"terms": True, "privacy": True, "marketing": bool(form.marketing.data)}
    fields: dict[str, Any] = {
        "device_mac": state.arrival.mac,
        "ip_address": state.arrival.ip or client_ip() or None,
        "locale": current_locale(),
        "returning": returning,
        "first_name": form.first_name.data if form else None,
        "email": (form.email.data or None) if form else None,
        "phone": (form.phone.data or None) if form else None,
        **consents,
    }
    try:
        if state.arrival.polled:
            return _hold(splash, state, fields)
        visit = core_client().wifi.record_visit(
            splash.id,
            state.nonce,
            confirmation=confirmation_secret(state.nonce) if form and form.email.data else None,
            **fields,
        )
    except Invalid as error:
        if error.code == Code.IDEMPOTENCY_KEY_REUSED:
            # This connection's visit was made already, with other details (a replayed redirect).
            return refused(USED, 409)
        if error.code in (Code.UNKNOWN_DEVICE, Code.CONSENT_REQUIRED) or form is None:
            # Not known after all, or the wording changed meanwhile: show the page again.
            return _page(splash, state, token, status=422)
        show_core_error(form, error.code)
        return _page(splash, state, token, form=form, status=422)
    except Conflict:
        target = form or SplashForm(splash.contact, formdata=None)
        target.form_errors.append(_l("Your card could not be created just now. Please try again."))
        return _page(splash, state, token, form=target, status=409)
    if visit.replayed and _past_grace(visit.visited_at):
        return refused(USED, 409)
    if form and visit.confirm_until and not visit.replayed:
        # The new card's address gets one message, the link that confirms it; the card follows
        # once it is confirmed (captive/confirm_views.py).
        link = site_url("captive.confirm", hotspot=splash.id, token=confirmation_secret(state.nonce))
        send_wifi_confirmation_email(form.email.data, splash.store_name, link, visit.confirm_until)
    session[VISIT] = _note(splash, visit, emailed=visit.confirm_until is not None)
    return _grant(splash, state)


def _past_grace(first: datetime) -> bool:
    return datetime.now(UTC) - first > wifi_settings(current_app).replay_grace


def _hold(splash: Splash, state: SplashState, fields: dict[str, Any]) -> Response | tuple[str, int]:
    """A gateway that fetches its grants (openNDS level 3): the grant and the sign-up wait for it
    (captive/gateway_polls.py), and the guest sees "connecting…" until it acknowledges them."""
    polled = adapter(splash).grant(_grant_request(splash, state))
    assert isinstance(polled, Polled)
    held = core_client().wifi.grants.hold(splash.id, state.nonce, polled.rhid, polled.gateway_hash, **fields)
    if held.replayed and _past_grace(held.held_at):
        return refused(USED, 409)
    session[VISIT] = {"hotspot": splash.id, "waiting": state.nonce}
    return redirect(online_url(splash), 303)


def _note(splash: Splash, visit: Visit, emailed: bool) -> dict[str, str | bool | None]:
    """What the "you are online" page may say: a new card's number; of a returning device's guest
    (known by a MAC anyone can name) or of a card an address had already, nothing."""
    return {"hotspot": splash.id, "outcome": visit.outcome, "card": visit.card_number, "emailed": emailed}


def _grant_request(splash: Splash, state: SplashState) -> GrantRequest:
    return GrantRequest(splash, state.arrival, online_url(splash), state.nonce, guest_password(state.nonce))


def _grant(splash: Splash, state: SplashState) -> Response | str | tuple[str, int]:
    try:
        grant: Grant = adapter(splash).grant(_grant_request(splash, state))
    except ForgedRedirect as forged:
        log.warning("Refused a %s grant at hotspot %s: %s", splash.kind, splash.id, forged.reason)
        return refused(FORGED, 400)
    except ControllerError as error:
        log.warning("Hotspot %s did not grant: %s", splash.id, error)
        return render_template("captive/retry.html", splash=splash, state=request.form.to_dict()), 502
    if isinstance(grant, Redirect):
        return redirect(grant.url, 303)
    if isinstance(grant, FormPost):
        return render_template("captive/connect.html", splash=splash, grant=grant)
    return redirect(online_url(splash), 303)


@bp.route("/wifi/<hotspot>/online")
def online(hotspot: str) -> str | tuple[str, int]:
    """Where the controller sends the device once it is online: a moment's "you are online" (the
    device may still be checking its connection), then the venue's landing page."""
    splash = load_splash(hotspot)
    if splash is None:
        abort(404)
    visit = session.get(VISIT)
    visit = visit if visit and visit.get("hotspot") == hotspot else None
    if visit and visit.get("waiting"):
        grant = core_client().wifi.grants.state(hotspot, visit["waiting"])
        if grant.state == "waiting":
            return render_template("captive/connecting.html", splash=splash, again=online_url(splash))
        if grant.state == "gone":
            session.pop(VISIT)
            return refused(NOT_LET_ONLINE, 504)
        visit = {
            "hotspot": hotspot,
            "outcome": grant.outcome,
            "card": grant.card_number,
            "emailed": grant.emailed,
        }
        session[VISIT] = visit
    return render_template(
        "captive/online.html",
        splash=splash,
        visit=visit,
        landing=landing_url(splash),
        delay=wifi_settings(current_app).online_delay,
    )


@bp.route("/wifi/<hotspot>/terms")
def terms(hotspot: str) -> str:
    splash = load_splash(hotspot)
    if splash is None:
        abort(404)
    return render_template(
        "captive/terms.html", splash=splash, wordings=core_client().wifi.get_wordings(hotspot)
    )


@bp.route("/guest/s/<site>/")
def unifi(site: str) -> Response:
    """A UniFi controller sends guests to /guest/s/<site>/ on the portal's host: the hotspot whose
    id is that site's name answers."""
    query = urlencode({**request.args.to_dict(), "site": site})
    return redirect(f"{url_for('.splash', hotspot=site)}?{query}", 302)
