"""Simulators of hotspot controllers' real protocols, as small HTTP servers on loopback.

Each one builds a device's arrival as the real controller does and lets a device online only when the
hashes, secrets, CSRF headers, credentials and addresses are right. See PROTOCOL_NOTES.md.
"""

from .base import DEVICE_HEADER, Online, Simulator, normalize_mac
from .coova import CoovaChilli
from .meraki import Meraki
from .mikrotik import MikroTik
from .opennds import OpenNDS
from .unifi import UniFi

__all__ = [
    "DEVICE_HEADER",
    "CoovaChilli",
    "Meraki",
    "MikroTik",
    "Online",
    "OpenNDS",
    "Simulator",
    "UniFi",
    "normalize_mac",
]
