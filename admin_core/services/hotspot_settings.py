"""What each kind of hotspot controller needs to be configured with: addresses the splash checks
the controller's redirect against, and the secrets its grant is made with."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from loyalty_common.controller_addresses import Networks, RefusedAddress, Unresolved, checked_addresses

from ..errors import InvalidFields
from ..models import HotspotKind

# host or host:port (an IPv4 address, a name, or [IPv6]), as a controller writes its own address.
HOST_PORT = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})(?::[0-9]{1,5})?$")
WITH_PORT = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253}):[0-9]{1,5}$")
# The example key openNDS ships with: anyone can read it.
OPENNDS_EXAMPLE_KEYS = frozenset(
    {"1234567890", "c775e7b757ede630cd0aa1113bd102661ab38829ca52a6422ab782862f268646"}
)
SECRETS = frozenset({"faskey", "password", "api_password", "uamsecret"})
ADDRESSES = frozenset({"controller_url", "api_url", "router_address", "gateway_address", "uam_address"})
CALLED = ("controller_url", "api_url")  # the addresses the site itself connects to
MASK = "********"


def host_port(**options: Any) -> fields.String:
    return fields.String(
        validate=validate.Regexp(HOST_PORT, error="Write the address as host or host:port."), **options
    )


def secret(**options: Any) -> fields.String:
    return fields.String(validate=validate.Length(1, 128), **options)


def http_url(**options: Any) -> fields.Url:
    return fields.Url(
        schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=300), **options
    )


class OpenNDSSettings(Schema):
    fas_level = fields.Integer(
        required=True,
        strict=True,
        validate=validate.OneOf([1, 2, 3]),
        metadata={
            "description": "FAS level: 1 (base64 query, rhid), 2 (AES-256-CBC query) or 3 (AES-256-CBC "
            "query over https, the grant fetched by the gateway's authmon)"
        },
    )
    faskey = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Za-z0-9]{8,64}$", error="8-64 letters and digits, as openNDS takes it."
        ),
    )
    # openNDS always writes gatewayaddress with its port (2050 by default): without one, no
    # redirect would match, and grants would go to port 80, where the gateway does not listen.
    gateway_address = fields.String(
        required=True,
        validate=validate.Regexp(
            WITH_PORT, error="Write the gateway's address as ip:port, e.g. 192.168.1.1:2050."
        ),
        metadata={"description": "The gateway's ip:port (gatewayaddress), e.g. 192.168.1.1:2050"},
    )

    @validates("gateway_address")
    def _a_port(self, value: str, **_kwargs: Any) -> None:
        if not 1 <= int(value.rpartition(":")[2]) <= 65535:
            raise ValidationError("Write the gateway's address as ip:port, e.g. 192.168.1.1:2050.")

    @validates("faskey")
    def _not_the_example(self, value: str, **_kwargs: Any) -> None:
        if value in OPENNDS_EXAMPLE_KEYS:
            raise ValidationError("This is openNDS's example key: choose your own.")


class MerakiSettings(Schema):
    mode = fields.String(required=True, validate=validate.OneOf(["click-through", "sign-on"]))
    username = fields.String(validate=validate.Length(1, 128), metadata={"description": "Sign-on only"})
    password = secret(metadata={"description": "Sign-on only"})

    @validates_schema
    def _sign_on_account(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("mode") == "sign-on" and not (data.get("username") and data.get("password")):
            raise ValidationError("Sign-on needs the guest account's username and password.", "username")


class UniFiSettings(Schema):
    controller_url = http_url(required=True, metadata={"description": "e.g. https://192.168.1.2:8443"})
    site = fields.String(load_default="default", validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,64}$"))
    username = fields.String(required=True, validate=validate.Length(1, 128))
    password = secret(required=True)
    unifi_os = fields.Boolean(load_default=False, metadata={"description": "UDM / Cloud Key G2 (UniFi OS)"})
    verify_tls = fields.Boolean(load_default=True)


class MikroTikSettings(Schema):
    router_address = host_port(
        required=True, metadata={"description": "Where link-login-only must point, e.g. 10.5.50.1"}
    )
    credentials = fields.String(
        load_default="shared",
        validate=validate.OneOf(["shared", "per_guest"]),
        metadata={
            "description": "shared: one registered-guest account; per_guest: a user per guest (REST API)"
        },
    )
    username = fields.String(validate=validate.Length(1, 64))
    password = secret()
    api_url = http_url(metadata={"description": "RouterOS REST API, e.g. https://10.5.50.1/rest"})
    api_username = fields.String(validate=validate.Length(1, 64))
    api_password = secret()
    user_profile = fields.String(validate=validate.Length(1, 64))
    verify_tls = fields.Boolean(load_default=True)

    @validates_schema
    def _credentials(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("credentials") == "per_guest":
            if not (data.get("api_url") and data.get("api_username") and data.get("api_password")):
                raise ValidationError("Users per guest need the REST API's address and account.", "api_url")
        elif not (data.get("username") and data.get("password")):
            raise ValidationError("A shared account needs its username and password.", "username")


class CoovaSettings(Schema):
    uamsecret = secret(required=True)
    username = fields.String(required=True, validate=validate.Length(1, 128))
    password = secret(required=True)
    uam_address = host_port(metadata={"description": "If set, uamip:uamport must be this"})


SCHEMAS: dict[HotspotKind, type[Schema]] = {
    HotspotKind.OPENNDS: OpenNDSSettings,
    HotspotKind.MERAKI: MerakiSettings,
    HotspotKind.UNIFI: UniFiSettings,
    HotspotKind.MIKROTIK: MikroTikSettings,
    HotspotKind.COOVA: CoovaSettings,
}


def checked_settings(kind: HotspotKind, settings: dict[str, Any]) -> dict[str, Any]:
    try:
        clean: dict[str, Any] = SCHEMAS[kind]().load(settings)
    except ValidationError as error:
        raise InvalidFields(
            "invalid_settings",
            f"These settings do not fit a {kind.value} controller.",
            error.normalized_messages(),
        ) from None
    return clean


def check_called_addresses(settings: Mapping[str, Any], networks: Networks) -> None:
    """InvalidFields for each address in `settings` the site would refuse to call (see
    loyalty_common.controller_addresses), `networks` being the operator's allowance. A name that
    does not resolve now passes: the site checks again when it connects. Addresses that are not
    URLs are the schema's to refuse."""
    refused: dict[str, object] = {}
    for name in CALLED:
        value = settings.get(name)
        try:
            url = httpx.URL(value) if isinstance(value, str) else None
        except httpx.InvalidURL:
            continue
        if url is None or not url.host:
            continue
        try:
            checked_addresses(url.host, url.port or 443, networks)
        except RefusedAddress as error:
            refused[name] = [str(error)]
        except Unresolved:
            continue
    if refused:
        raise InvalidFields(
            "invalid_settings", "The site does not call controllers at these addresses.", refused
        )


def masked(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings as they may be shown again: secrets are not."""
    return {name: MASK if name in SECRETS and value else value for name, value in settings.items()}


def merged(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """New settings over the current ones; a secret sent back masked (or left out) is kept, unless
    an address changes: the stored secrets were meant for the old one, and whoever can change the
    address must send them again (or they would be handed to a new, perhaps hostile, host). A
    setting sent as None is removed (as in a JSON merge patch)."""
    moved = any(name in changes and changes[name] != current.get(name) for name in ADDRESSES)
    kept = {name: value for name, value in changes.items() if not (name in SECRETS and value == MASK)}
    base = {name: value for name, value in current.items() if not (moved and name in SECRETS)}
    return {name: value for name, value in {**base, **kept}.items() if value is not None}
