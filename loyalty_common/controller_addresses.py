"""The addresses the site may call a hotspot controller at (UniFi's controller, MikroTik's REST API).

The site posts the controller's credentials there whenever a guest signs up, so a controller
address must not turn it against itself or the network it runs in: loopback, private (RFC 1918,
IPv6 unique-local), carrier-grade NAT, link-local, multicast and other non-public addresses are
refused, unless the operator lists their network in WIFI_CONTROLLER_NETWORKS; the clouds' metadata
services always are.

Private ranges are refused by default although a venue's controller usually has one on its own
LAN: the site runs elsewhere, and seen from there a private address is the site's network (its
database, its cloud's services), not the venue's. A controller is reached at a public address
(port forwarding, a hosted controller), or through a VPN whose range the operator lists.

The core checks when a hotspot is saved (a field error the merchant can act on); the site checks
again when it connects, on the very addresses it connects to: a name may resolve elsewhere by then.
"""

from __future__ import annotations

import socket
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

IPAddress = IPv4Address | IPv6Address
Networks = tuple[IPv4Network | IPv6Network, ...]

# Cloud metadata services (AWS, GCP, Azure, OpenStack; AWS over IPv6; Alibaba; Azure's wire server;
# Oracle): refused even inside a listed network.
METADATA = frozenset(
    ip_address(each)
    for each in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "168.63.129.16", "192.0.0.192")
)
NAT64 = ip_network("64:ff9b::/96")


class RefusedAddress(Exception):
    """The controller's host is, or resolves to, an address the site does not call."""


class Unresolved(Exception):
    """The controller's host name does not resolve (now)."""


def parse_networks(value: object) -> Networks:
    """WIFI_CONTROLLER_NETWORKS: networks or single addresses, as a JSON list or a string separated
    by commas or spaces. A value that is not one stops the app from starting."""
    items = value.replace(",", " ").split() if isinstance(value, str) else value or []
    if not isinstance(items, list | tuple):
        raise ValueError(f"{value!r} is not a list of networks")
    return tuple(ip_network(str(item).strip(), strict=False) for item in items)


def _as_reached(address: IPAddress) -> list[IPAddress]:
    """The address, and the IPv4 address it leads to when it embeds one: an IPv4-mapped address
    is that address; 6to4 and NAT64 reach theirs through a gateway."""
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped:
            return [address.ipv4_mapped]
        if address.sixtofour:
            return [address, address.sixtofour]
        if address in NAT64:
            return [address, IPv4Address(int(address) & 0xFFFFFFFF)]
    return [address]


def allowed(address: IPAddress, networks: Networks) -> bool:
    for each in _as_reached(address):
        plain = ip_address(str(each).split("%", 1)[0])  # without an IPv6 zone
        if plain in METADATA:
            return False
        if any(plain in network for network in networks):
            continue
        if not plain.is_global or plain.is_multicast:
            return False
    return True


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` (a name, or an address in any form the system takes: 2130706433,
    0x7f000001…) stands for now."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Unresolved(f"{host} does not resolve: {error}") from None
    return list(dict.fromkeys(ip_address(str(info[4][0])) for info in found))


def checked_addresses(host: str, port: int, networks: Networks) -> list[IPAddress]:
    """The addresses of `host`, every one of them allowed; else RefusedAddress (or Unresolved)."""
    addresses = resolve(host, port)
    refused = [str(address) for address in addresses if not allowed(address, networks)]
    if refused:
        named = host if refused == [host] else f"{host} ({', '.join(refused)})"
        raise RefusedAddress(
            f"{named} is not an address the site calls controllers at: "
            "give the controller's public address, or ask the operator to allow its network."
        )
    return addresses
