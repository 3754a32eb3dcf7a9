"""Image fetching and the local image method: Tesseract OCR, dominant colours, router features.

Used for every image when no vision model is configured (VLM_BASE_URL empty; results record
`model = 'local'`), and for the router features (spec A8.3) in any case. OCR runs Debian's
`tesseract` binary (packages tesseract-ocr and tesseract-ocr-kor, installed by
scripts/system-packages.sh) on Korean and English. Captions and labels need a vision model and
stay empty locally. Pillow and numpy are imported on first use.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from dag_is.lib.enrich_schema import clean_ocr_lines

if TYPE_CHECKING:
    from PIL import Image

MAX_IMAGE_BYTES = 15 * 1024 * 1024
TESSERACT_LANGUAGES = "kor+eng"
OCR_URL_KEYWORDS = (
    "screenshot", "screen", "capture", "capt", "news", "article", "post", "comment", "table", "code",
    "chat", "kakao", "tweet", "notice", "doc", "scan", "text", "memo", "receipt", "menu",
)  # fmt: skip
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)
# Named reference colours for the colour names of the local method.
_NAMED = {
    "black": (0, 0, 0), "white": (255, 255, 255), "gray": (128, 128, 128), "red": (220, 40, 40),
    "orange": (245, 140, 30), "yellow": (240, 220, 50), "green": (50, 160, 60), "cyan": (40, 200, 210),
    "blue": (40, 80, 220), "purple": (140, 60, 180), "pink": (240, 150, 190), "brown": (130, 85, 50),
}  # fmt: skip


class ImageFetchError(Exception):
    """The image could not be downloaded (HTTP error, network error, too large)."""


class ImageDecodeError(Exception):
    """The bytes are not an image Pillow can read."""


class OcrUnavailable(RuntimeError):
    """The tesseract binary or its Korean data is missing: an environment problem, not the image's."""


def sniff_mime(data: bytes) -> str | None:
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return "image/avif"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1"):
        return "image/heic"
    return None


def fetch_image(url: str, timeout: float = 10.0) -> bytes:
    """The image's bytes; the Referer is the image's origin, as board CDNs expect."""
    import httpx

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ImageFetchError(f"unsupported URL scheme {parts.scheme!r}")
    headers = {"User-Agent": "Mozilla/5.0", "Referer": f"{parts.scheme}://{parts.netloc}/"}
    try:
        with httpx.stream("GET", url, headers=headers, timeout=timeout, follow_redirects=True) as response:
            if response.status_code >= 400:
                raise ImageFetchError(f"HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_IMAGE_BYTES:
                    raise ImageFetchError(f"larger than {MAX_IMAGE_BYTES} bytes")
                chunks.append(chunk)
    except httpx.HTTPError as error:
        raise ImageFetchError(f"{type(error).__name__}: {error}") from None
    return b"".join(chunks)


def open_image(data: bytes) -> Image.Image:
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    # Pillow reports broken files as OSError, ValueError or SyntaxError, huge ones as DecompressionBombError.
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise ImageDecodeError(f"{type(error).__name__}: {error}") from None
    return image


def _rgb(image: Image.Image, side: int) -> Image.Image:
    from PIL import Image

    frame = image.convert("RGBA") if image.mode in ("P", "LA", "RGBA") else image.convert("RGB")
    if frame.mode == "RGBA":
        background = Image.new("RGB", frame.size, (255, 255, 255))
        background.paste(frame, mask=frame.getchannel("A"))
        frame = background
    frame = frame.copy()
    frame.thumbnail((side, side))
    return frame


def router_features(
    image: Image.Image, data: bytes, url: str, png_color_threshold: int = 4096
) -> dict[str, Any]:
    """ui_like, text_density, png_better, aspect, mime, url keyword hit (spec A8.3 router)."""
    import numpy as np

    small = _rgb(image, 512)
    pixels = np.asarray(small, dtype=np.uint8)
    unique = len(np.unique(pixels.reshape(-1, 3).view(np.dtype((np.void, 3)))))
    ui_like = image.mode in ("P", "LA", "RGBA", "PA") or unique <= png_color_threshold
    gray = pixels.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    gx = np.abs(np.diff(gray, axis=1))[:-1, :]
    gy = np.abs(np.diff(gray, axis=0))[:, :-1]
    edges = gx + gy
    threshold = max(float(np.percentile(edges, 85)), 32.0) if edges.size else 32.0
    text_density = float((edges > threshold).mean()) if edges.size else 0.0
    sample = _rgb(image, 256)
    png, jpeg = io.BytesIO(), io.BytesIO()
    sample.save(png, "PNG", optimize=False)
    sample.save(jpeg, "JPEG", quality=90)
    lowered = url.lower()
    return {
        "width": image.width,
        "height": image.height,
        "aspect": round(image.height / image.width, 4) if image.width else 0.0,
        "mime": sniff_mime(data),
        "ui_like": bool(ui_like),
        "unique_colors": int(unique),
        "text_density": round(text_density, 4),
        "png_better": png.tell() < 0.9 * jpeg.tell(),
        "url_keyword": next((k for k in OCR_URL_KEYWORDS if k in lowered), None),
    }


def route(features: dict[str, Any]) -> str:
    """`ocr` or `photo` prompt for the vision model (spec A8.3 routing, default thresholds)."""
    aspect, td, ui = features["aspect"], features["text_density"], features["ui_like"]
    if aspect >= 2.8 and ui and td >= 0.10:
        return "ocr"
    if aspect >= 2.2 and 0.06 <= td <= 0.30 and not ui:
        return "photo"
    if td >= 0.20 and aspect >= 1.40:
        return "ocr"
    score = 0.8 * ui + 0.6 * bool(features["url_keyword"]) + 0.4 * (features["mime"] == "image/png")
    score += 0.6 * features["png_better"]
    gate = td >= 0.22 and (ui or features["url_keyword"] or aspect >= 1.25)
    return "ocr" if gate and score >= 2.0 else "photo"


def dominant_colors(image: Image.Image, count: int = 3) -> list[dict[str, Any]]:
    """The `count` most frequent colours after median-cut quantisation: {name, hex, ratio}."""
    from PIL import Image

    small = _rgb(image, 96)
    quantized = small.quantize(colors=8, method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette() or []
    total = small.width * small.height
    colors = []
    for pixels, index in sorted(quantized.getcolors() or [], reverse=True)[:count]:
        r, g, b = palette[index * 3 : index * 3 + 3]
        name = min(_NAMED, key=lambda n: sum((a - c) ** 2 for a, c in zip(_NAMED[n], (r, g, b), strict=True)))
        colors.append({"name": name, "hex": f"#{r:02x}{g:02x}{b:02x}", "ratio": round(pixels / total, 3)})
    return colors


def tesseract_binary() -> str:
    found = shutil.which("tesseract")
    if found is None:
        raise OcrUnavailable("the tesseract binary is missing: run scripts/system-packages.sh as root")
    return found


def ocr_lines(image: Image.Image, timeout: float = 60.0) -> list[str]:
    """Text lines Tesseract reads in Korean and English (upscaled small images read better)."""
    from PIL import Image

    frame = _rgb(image, 4000)
    if frame.width < 1000:
        factor = 1000 / frame.width
        frame = frame.resize((1000, max(1, round(frame.height * factor))), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    frame.convert("L").save(buffer, "PNG")
    try:
        done = subprocess.run(
            [tesseract_binary(), "stdin", "stdout", "-l", TESSERACT_LANGUAGES, "--psm", "3"],
            input=buffer.getvalue(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ImageDecodeError(f"tesseract took longer than {timeout:.0f} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        if "kor" in message or "traineddata" in message:
            raise OcrUnavailable(f"tesseract cannot load {TESSERACT_LANGUAGES}: {message[:300]}")
        raise ImageDecodeError(f"tesseract exit {done.returncode}: {message[:300]}")
    return clean_ocr_lines(done.stdout.decode("utf-8", "replace").splitlines())


@dataclass(frozen=True)
class LocalImageResult:
    ocr_lines: list[str]
    colors: list[dict[str, Any]]


def describe_locally(image: Image.Image) -> LocalImageResult:
    return LocalImageResult(ocr_lines(image), dominant_colors(image))
