"""Sample data: deterministic logo PNGs for the sample companies, drawn with Pillow.

Each logo is an identicon-like mark derived from the company name's SHA-256, so the same name
always yields the same image and different names differ. These are not real company logos.
"""

from __future__ import annotations

import hashlib
import io

LOGO_SIZE = 96
_GRID = 5


def draw_logo(company_name: str) -> bytes:
    """A PNG logo for `company_name` (sample data)."""
    from PIL import Image, ImageDraw

    digest = hashlib.sha256(company_name.encode("utf-8")).digest()
    colour = (digest[0], digest[1], digest[2])
    background = (255 - digest[0] // 4, 255 - digest[1] // 4, 255 - digest[2] // 4)
    image = Image.new("RGB", (LOGO_SIZE, LOGO_SIZE), background)
    draw = ImageDraw.Draw(image)
    cell = LOGO_SIZE // (_GRID + 1)
    margin = (LOGO_SIZE - cell * _GRID) // 2
    bits = int.from_bytes(digest[3:], "big")
    for row in range(_GRID):
        for col in range((_GRID + 1) // 2):  # mirrored left to right
            if bits >> (row * 3 + col) & 1:
                for x in {col, _GRID - 1 - col}:
                    left, top = margin + x * cell, margin + row * cell
                    draw.rectangle((left, top, left + cell - 1, top + cell - 1), fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
