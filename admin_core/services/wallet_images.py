"""The pass's icon and logo at 1x, 2x and 3x, from the merchant's logo (PNG or JPEG, fitted into
Apple's boxes); without one (or with an SVG, which Pillow cannot draw) a plain icon in the
accent colours, and no logo image: the pass shows the merchant's name as its logo text."""

from __future__ import annotations

import functools
import io

from PIL import Image, ImageDraw, UnidentifiedImageError

ICON = (29, 29)  # points, at 1x
LOGO = (160, 50)
SCALES = ((1, ""), (2, "@2x"), (3, "@3x"))


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _fitted(source: Image.Image, box: tuple[int, int], *, square: bool) -> Image.Image:
    image = source.copy()
    image.thumbnail(box, Image.Resampling.LANCZOS)
    if not square:
        return image
    canvas = Image.new("RGBA", box, (0, 0, 0, 0))
    canvas.paste(image, ((box[0] - image.width) // 2, (box[1] - image.height) // 2))
    return canvas


def _plain_icon(size: int, background: str, foreground: str) -> Image.Image:
    image = Image.new("RGBA", (size, size), background)
    inset = size // 4
    ImageDraw.Draw(image).ellipse(
        (inset, inset, size - inset, size - inset), outline=foreground, width=max(1, size // 12)
    )
    return image


@functools.lru_cache(maxsize=64)
def pass_images(logo: bytes | None, background: str, foreground: str) -> dict[str, bytes]:
    source = None
    if logo:
        try:
            with Image.open(io.BytesIO(logo)) as opened:
                source = opened.convert("RGBA")
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            source = None  # an SVG logo: the portal shows it, the pass cannot
    files: dict[str, bytes] = {}
    for scale, suffix in SCALES:
        icon_box = (ICON[0] * scale, ICON[1] * scale)
        if source is None:
            files[f"icon{suffix}.png"] = _png(_plain_icon(icon_box[0], background, foreground))
        else:
            files[f"icon{suffix}.png"] = _png(_fitted(source, icon_box, square=True))
            files[f"logo{suffix}.png"] = _png(
                _fitted(source, (LOGO[0] * scale, LOGO[1] * scale), square=False)
            )
    return files
