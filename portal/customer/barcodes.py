"""A card number as inline SVG a till can scan: Code 128 (python-barcode) and QR (segno). Black on
white with the quiet zone each symbology needs; a viewBox and no fixed size, so the SVG fills the
width of whatever holds it."""

from __future__ import annotations

from html import escape
from xml.dom import minidom

import barcode
import segno
from barcode.writer import SVGWriter

CODE128_QUIET_ZONE = 10  # modules; the standard's minimum on each side
CODE128_BAR_HEIGHT = 40  # modules; about a third of the width for a ten-digit number
QR_QUIET_ZONE = 4  # modules


def code128_svg(number: str, label: str) -> str:
    """`<svg>` markup of the Code 128 barcode of `number`, one unit per module."""
    writer = SVGWriter()
    writer.with_doctype = False
    symbol = barcode.get("code128", number, writer=writer)
    rendered = symbol.render(
        {
            "module_width": 1,
            "module_height": CODE128_BAR_HEIGHT,
            "quiet_zone": CODE128_QUIET_ZONE,
            "margin_top": 0,
            "margin_bottom": 0,
            "write_text": False,
            "background": "#fff",
            "foreground": "#000",
        }
    )
    # The writer sizes everything in millimetres; with one "mm" per module the numbers become the
    # viewBox's own units once the unit is dropped.
    parsed = minidom.parseString(rendered)
    root = parsed.getElementsByTagName("svg")[0]
    width, height = (_units(root.getAttribute(name)) for name in ("width", "height"))
    document = minidom.Document()
    svg = document.createElement("svg")
    for name, value in [
        ("viewBox", f"0 0 {width} {height}"),
        ("role", "img"),
        ("aria-label", label),
        ("class", "barcode"),
    ]:
        svg.setAttribute(name, value)
    for bar in parsed.getElementsByTagName("rect"):
        shape = svg.appendChild(document.createElement("rect"))
        for name in ("x", "y", "width", "height"):
            if bar.hasAttribute(name):
                shape.setAttribute(name, _units(bar.getAttribute(name)))
        shape.setAttribute("fill", bar.getAttribute("style").removeprefix("fill:").rstrip(";"))
    return str(svg.toxml())


def qr_svg(number: str, label: str) -> str:
    """`<svg>` markup of a QR code of `number`. Always a full QR code, never a Micro QR (which
    segno.make would pick for short data and many till scanners cannot read)."""
    markup = segno.make_qr(number, error="m").svg_inline(
        border=QR_QUIET_ZONE, dark="#000", light="#fff", omitsize=True, svgclass="qr", lineclass=None
    )
    return markup.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def _units(millimetres: str) -> str:
    if millimetres.endswith("%"):
        return millimetres
    return f"{float(millimetres.removesuffix('mm')):g}"
