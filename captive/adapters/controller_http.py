"""The HTTP client the site calls controllers with (UniFi, MikroTik's REST API): it connects only to
addresses it checked. Each request resolves the controller's host once, checks every address it
got, and connects to them in turn until one answers; the request still names the controller's
host (Host header, TLS server name and certificate check), so a name that resolves elsewhere by
the time a guest signs up (DNS rebinding) reaches nothing the site does not call."""

from __future__ import annotations

import httpx

from loyalty_common.controller_addresses import (
    Networks,
    RefusedAddress,
    Unresolved,
    checked_addresses,
)

from .base import ControllerError

DEFAULT_PORTS = {"http": 80, "https": 443}


class CheckedTransport(httpx.BaseTransport):
    def __init__(self, networks: Networks, verify: bool) -> None:
        self.networks = networks
        self.transport = httpx.HTTPTransport(verify=verify)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        try:
            addresses = checked_addresses(url.host, url.port or DEFAULT_PORTS[url.scheme], self.networks)
        except (RefusedAddress, Unresolved) as error:
            raise ControllerError(str(error)) from None
        for address in addresses[:-1]:
            try:
                return self.transport.handle_request(_pinned(request, str(address)))
            except httpx.ConnectError:
                continue  # nothing was sent: the next address (an IPv6 one the site cannot reach…)
        return self.transport.handle_request(_pinned(request, str(addresses[-1])))

    def close(self) -> None:
        self.transport.close()


def _pinned(request: httpx.Request, address: str) -> httpx.Request:
    """The request, to `address`, still naming the controller's host."""
    extensions = dict(request.extensions)
    if address != request.url.host:
        extensions["sni_hostname"] = request.url.host
    return httpx.Request(
        request.method,
        request.url.copy_with(host=address),
        headers=request.headers,  # with the Host header of the controller's name
        stream=request.stream,
        extensions=extensions,
    )


def controller_client(networks: Networks, verify: bool, timeout: float, base_url: str = "") -> httpx.Client:
    return httpx.Client(base_url=base_url, transport=CheckedTransport(networks, verify), timeout=timeout)
