"""The upload pipeline: trust the bytes, never the name or the browser's content type.

1. Pillow identifies the file from its content, limited to JPEG, PNG and WebP, so
   HTML or SVG renamed to .jpg is refused before any decoding.
2. The pixel count is checked from the header before decoding, and Pillow's own
   decompression-bomb guard is set to the same cap with its warning made an error.
3. The image is decoded and re-encoded as a fresh JPEG: nothing of the original
   file survives (no EXIF GPS position, no polyglot payload).
4. Files get random names under UPLOAD_FOLDER; the uploader's name is never used,
   so "../../app.py" is as harmless as "honey.jpg".

The 8 MB request cap (MAX_CONTENT_LENGTH) is enforced by Flask before this runs.
"""

import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import ValidationFailed

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_STORED_SIDE = 2000
THUMB_SIDE = 480
JPEG_QUALITY = 85


class ImageRejected(ValidationFailed):
    default_message = _l("This file is not a JPEG, PNG or WebP photo.")


@dataclass(frozen=True)
class StoredImage:
    filename: str  # relative to UPLOAD_FOLDER
    thumb_filename: str
    width: int
    height: int


def _decode(data: bytes, max_pixels: int) -> Image.Image:
    if not data:
        raise ImageRejected(_l("The file is empty."))
    too_big = ImageRejected(
        _l(
            "This image has too many pixels. The limit is %(mp)d megapixels.",
            mp=max(1, max_pixels // 1_000_000),
        )
    )
    # Pillow's guard is process-wide; it is set on every call so a changed config applies.
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=ACCEPTED_FORMATS)
            width, height = image.size
            if width * height > max_pixels:
                raise too_big
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_big from None
    except UnidentifiedImageError:
        raise ImageRejected() from None
    except (OSError, SyntaxError, ValueError):
        # Truncated or corrupt data that looked like an image at first.
        raise ImageRejected(_l("This image file is damaged. Export it again and retry.")) from None
    return image


def _flatten(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    # Only the pixels go on: convert() copies `info`, and Pillow writes info["comment"]
    # (a JPEG comment, or a PNG text chunk of that name) back into the saved JPEG.
    rgb = image.convert("RGB")
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


def _save(image: Image.Image, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    image.save(folder / name, format="JPEG", quality=JPEG_QUALITY, optimize=True)


def store_image(data: bytes, upload_folder: str, subdir: str, max_pixels: int) -> StoredImage:
    """Validate, re-encode and store an upload with a thumbnail. Raises ImageRejected."""
    image = _flatten(_decode(data, max_pixels))
    image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    stem = secrets.token_hex(16)
    folder = Path(upload_folder) / subdir
    _save(image, folder, f"{stem}.jpg")
    _save(thumb, folder, f"{stem}-thumb.jpg")
    return StoredImage(
        filename=f"{subdir}/{stem}.jpg",
        thumb_filename=f"{subdir}/{stem}-thumb.jpg",
        width=image.width,
        height=image.height,
    )


def remove_files(upload_folder: str, *names: str | None) -> None:
    """Delete stored files; only names this module generated resolve inside the folder."""
    root = Path(upload_folder).resolve()
    for name in names:
        if not name:
            continue
        path = (root / name).resolve()
        if root in path.parents:
            path.unlink(missing_ok=True)
