"""The merchant's logo: a PNG or JPEG that really is one, or an SVG made only of drawing (no
scripts, no links, no styles that fetch anything); anything else is refused, not cleaned."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from PIL import Image, UnidentifiedImageError
from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..database import Database
from ..errors import Invalid
from ..models import MerchantLogo
from . import utcnow
from .merchants import get_merchant_by_id

MAX_BYTES = 256 * 1024
MAX_SIDE = 2000  # pixels
RASTER = {"PNG": "image/png", "JPEG": "image/jpeg"}
SVG = "image/svg+xml"
SVG_NS = "{http://www.w3.org/2000/svg}"
# Shapes, text and gradients; no script, foreignObject, use/image (they fetch), animation or style.
SVG_ELEMENTS = frozenset(
    [
        "svg",
        "g",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "title",
        "desc",
        "defs",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "symbol",
    ]
)
SVG_ATTRIBUTES = frozenset(
    [
        "id",
        "class",
        "viewBox",
        "width",
        "height",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "d",
        "points",
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "opacity",
        "transform",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "text-anchor",
        "dominant-baseline",
        "letter-spacing",
        "offset",
        "stop-color",
        "stop-opacity",
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "fx",
        "fy",
        "clip-path",
        "clip-rule",
        "mask",
        "preserveAspectRatio",
        "version",
        "role",
        "aria-label",
        "aria-hidden",
        "focusable",
    ]
)
# An attribute may point into the document (url(#id)), never out of it.
OUTSIDE = re.compile(r"url\((?!\s*['\"]?#)|javascript:|data:|@import|expression\(", re.IGNORECASE)


def _raster(data: bytes) -> str:
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, size = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise Invalid("invalid_logo", "This file is not a PNG, JPEG or SVG image.") from None
    if kind not in RASTER:
        raise Invalid("invalid_logo", "A logo is a PNG, JPEG or SVG image.")
    if max(size) > MAX_SIDE:
        raise Invalid("logo_too_large", f"A logo is at most {MAX_SIDE} pixels on its longer side.")
    return RASTER[kind]


def _local(name: str) -> str:
    return name.split("}", 1)[1] if name.startswith("{") else name


def _check_svg(element: Element) -> None:
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith(SVG_NS) or _local(tag) not in SVG_ELEMENTS:
        raise Invalid("unsafe_svg", f"This SVG holds <{_local(str(tag))}>, which a logo may not.")
    for name, value in element.attrib.items():
        if name.startswith("{") or _local(name) not in SVG_ATTRIBUTES or OUTSIDE.search(value):
            raise Invalid(
                "unsafe_svg", f"This SVG holds the attribute '{_local(name)}', which a logo may not."
            )
    for child in element:
        _check_svg(child)


def _svg(data: bytes) -> str:
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException):
        raise Invalid("invalid_logo", "This file is not a PNG, JPEG or SVG image.") from None
    if root.tag != f"{SVG_NS}svg":
        raise Invalid("invalid_logo", "This file is not a PNG, JPEG or SVG image.")
    _check_svg(root)
    return SVG


def content_type(data: bytes) -> str:
    """What the file is, by its content (never by its name), or Invalid."""
    if not data:
        raise Invalid("invalid_logo", "The file is empty.")
    if len(data) > MAX_BYTES:
        raise Invalid("logo_too_large", f"A logo is at most {MAX_BYTES // 1024} KB.")
    if data.lstrip()[:1] == b"<":
        return _svg(data)
    return _raster(data)


def set_logo(db: Database, merchant_id: int, data: bytes, now: datetime | None = None) -> MerchantLogo:
    kind = content_type(data)
    digest = hashlib.sha256(data).hexdigest()
    with db.write() as session:
        logo = session.get(MerchantLogo, merchant_id) or MerchantLogo(merchant_id=merchant_id)
        logo.content_type, logo.data, logo.digest, logo.updated_at = kind, data, digest, now or utcnow()
        session.add(logo)
        get_merchant_by_id(session, merchant_id, for_update=True).logo_digest = digest
    return logo


def remove_logo(db: Database, merchant_id: int) -> None:
    with db.write() as session:
        session.execute(delete(MerchantLogo).where(MerchantLogo.merchant_id == merchant_id))
        get_merchant_by_id(session, merchant_id, for_update=True).logo_digest = None


def find_logo(session: Session, merchant_id: int) -> MerchantLogo | None:
    return session.get(MerchantLogo, merchant_id)
