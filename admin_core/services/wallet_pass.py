"""An Apple Wallet store card as a signed .pkpass: pass.json, images, localisations, manifest.json
(SHA-1 of every file) and a detached PKCS#7 signature of the manifest by the merchant's Pass Type
ID certificate, Apple's WWDR intermediate included. Pure: everything it shows is handed in."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, replace
from decimal import Decimal
from threading import Lock

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from .wallet_credentials import AppleCredentials
from .wallet_images import pass_images

CONTENT_TYPE = "application/vnd.apple.pkpass"
ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # every entry's: the same content makes the same file
CACHED_PASSES = 512


@dataclass(frozen=True)
class PassContent:
    serial: str
    token: str
    web_service_url: str
    merchant_name: str
    number: str
    holder: str
    points: int
    credit: int  # minor units
    currency: str
    currency_precision: int
    tier: str | None
    next_reward: str | None
    points_to_go: int | None
    accent_color: str  # "#rrggbb"
    accent_text_color: str
    portal_url: str
    rules_url: str
    logo: bytes | None  # PNG or JPEG; None (or an SVG): a plain icon is drawn
    labels: dict[str, dict[str, str]]  # locale → label key → text (pass.strings)


def _rgb(color: str) -> str:
    value = color.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(value[i : i + 2], 16) for i in (0, 2, 4)))


def pass_json(content: PassContent, credentials: AppleCredentials) -> dict[str, object]:
    credit = Decimal(content.credit).scaleb(-content.currency_precision)
    secondary: list[dict[str, object]] = []
    if content.tier:
        secondary.append({"key": "tier", "label": "tier", "value": content.tier})
    secondary.append(
        {"key": "credit", "label": "credit", "value": float(credit), "currencyCode": content.currency}
    )
    auxiliary: list[dict[str, object]] = []
    if content.next_reward:
        auxiliary.append({"key": "next_reward", "label": "next_reward", "value": content.next_reward})
        auxiliary.append({"key": "points_to_go", "label": "points_to_go", "value": content.points_to_go})
    return {
        "formatVersion": 1,
        "passTypeIdentifier": credentials.pass_type_id,
        "teamIdentifier": credentials.team_id,
        "serialNumber": content.serial,
        "authenticationToken": content.token,
        "webServiceURL": content.web_service_url,
        "organizationName": content.merchant_name,
        "description": "description",
        "logoText": content.merchant_name,
        "backgroundColor": _rgb(content.accent_color),
        "foregroundColor": _rgb(content.accent_text_color),
        "labelColor": _rgb(content.accent_text_color),
        "barcodes": [
            # The tills scan the card page's Code 128; a QR code where a device cannot show it.
            {
                "format": "PKBarcodeFormatCode128",
                "message": content.number,
                "messageEncoding": "iso-8859-1",
                "altText": content.number,
            },
            {
                "format": "PKBarcodeFormatQR",
                "message": content.number,
                "messageEncoding": "iso-8859-1",
                "altText": content.number,
            },
        ],
        "storeCard": {
            "primaryFields": [
                {
                    "key": "points",
                    "label": "points",
                    "value": content.points,
                    "changeMessage": "points_changed",
                }
            ],
            "secondaryFields": secondary,
            "auxiliaryFields": auxiliary,
            "backFields": [
                {"key": "holder", "label": "holder", "value": content.holder},
                {"key": "number", "label": "number", "value": content.number},
                {"key": "portal", "label": "portal", "value": content.portal_url},
                {"key": "rules", "label": "rules", "value": content.rules_url},
            ],
        },
    }


def _strings(labels: dict[str, str]) -> bytes:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    return "".join(f"{quoted(key)} = {quoted(text)};\n" for key, text in sorted(labels.items())).encode()


def _signature(manifest: bytes, credentials: AppleCredentials) -> bytes:
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(manifest)
        .add_signer(credentials.certificate, credentials.private_key, hashes.SHA256())
        .add_certificate(credentials.intermediate)
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
    )


def _build(content: PassContent, credentials: AppleCredentials) -> bytes:
    files: dict[str, bytes] = {
        "pass.json": json.dumps(pass_json(content, credentials), ensure_ascii=False, indent=1).encode()
    }
    files.update(pass_images(content.logo, content.accent_color, content.accent_text_color))
    for locale, labels in content.labels.items():
        files[f"{locale}.lproj/pass.strings"] = _strings(labels)
    manifest = json.dumps({name: hashlib.sha1(data).hexdigest() for name, data in files.items()}).encode()
    files["manifest.json"] = manifest
    files["signature"] = _signature(manifest, credentials)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


class _Cache:
    """Passes already built, by what they hold: a card's pass is signed again only when something
    on it (or the merchant's certificate) changed. Only an optimisation: any process builds the
    same pass from the same data."""

    def __init__(self, size: int) -> None:
        self._size, self._lock, self._entries = size, Lock(), OrderedDict[str, bytes]()

    def get_or_build(self, content: PassContent, credentials: AppleCredentials) -> bytes:
        key = hashlib.sha256(
            repr(replace(content, logo=None)).encode()
            + hashlib.sha256(content.logo or b"").digest()
            + credentials.certificate.fingerprint(hashes.SHA256())
        ).hexdigest()
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        built = _build(content, credentials)
        with self._lock:
            self._entries[key] = built
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return built


_cache = _Cache(CACHED_PASSES)


def build_pkpass(content: PassContent, credentials: AppleCredentials, *, cached: bool = True) -> bytes:
    return _cache.get_or_build(content, credentials) if cached else _build(content, credentials)
