"""The upload pipeline: trust the bytes, never the name or the browser's content type.

1. Pillow identifies the file from its content, limited to JPEG, PNG and WebP, so
   HTML or SVG renamed to .jpg is refused before any decoding.
2. The pixel count is checked from the header before decoding, and Pillow's own
   decompression-bomb guard is set to the same cap with its warning made an error.
3. The image is decoded and re-encoded as a fresh JPEG: nothing of the original
   file survives (no EXIF GPS position, no polyglot payload).
4. Files get random names in the media storage (storefront.storage: a folder, or an S3
   bucket); the uploader's name is never used, so "../../app.py" is as harmless as
   "honey.jpg".
5. The thumbnail and the WebP versions for srcset are made by a task after the commit.

The 8 MB request cap (MAX_CONTENT_LENGTH) is enforced by Flask before this runs.
"""

import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import ValidationFailed
from ..storage import Storage

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_STORED_SIDE = 2000
THUMB_SIDE = 480
JPEG_QUALITY = 85
WEBP_QUALITY = 80
WEBP_WIDTHS = (480, 960, 1440)


class ImageRejected(ValidationFailed):
    default_message = _l("This file is not a JPEG, PNG or WebP photo.")


@dataclass(frozen=True)
class StoredImage:
    filename: str  # the name in the media storage
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


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = BytesIO()
    if fmt == "WEBP":
        image.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def store_image(data: bytes, store: Storage, subdir: str, max_pixels: int) -> StoredImage:
    """Validate, re-encode and store an upload. Raises ImageRejected, or StorageUnavailable
    when the store cannot take it (then nothing was stored). The thumbnail and the WebP
    versions are made afterwards by the image task (make_variants); until then the photo
    itself stands in for its thumbnail."""
    image = _flatten(_decode(data, max_pixels))
    image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
    filename = f"{subdir}/{secrets.token_hex(16)}.jpg"
    store.save(filename, _encode(image, "JPEG"), "image/jpeg")
    return StoredImage(
        filename=filename, thumb_filename=filename, width=image.width, height=image.height
    )


def thumb_name(filename: str) -> str:
    return filename.removesuffix(".jpg") + "-thumb.jpg"


def webp_name(filename: str, width: int) -> str:
    return f"{filename.removesuffix('.jpg')}-{width}.webp"


def variant_widths(width: int) -> list[int]:
    """The WebP widths worth making for a photo this wide: the standard steps below it,
    and the photo's own width."""
    return sorted({w for w in WEBP_WIDTHS if w < width} | {width})


def make_variants(store: Storage, filename: str) -> tuple[str, list[int]]:
    """Make the thumbnail and the WebP versions of a stored photo (the image task).
    Names follow from the photo's name, so running it again overwrites the same files."""
    with Image.open(BytesIO(store.read(filename)), formats=("JPEG",)) as opened:
        image = opened.convert("RGB")
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    store.save(thumb_name(filename), _encode(thumb, "JPEG"), "image/jpeg")
    widths = variant_widths(image.width)
    for width in widths:
        version = image.copy()
        version.thumbnail((width, MAX_STORED_SIDE))
        store.save(webp_name(filename, width), _encode(version, "WEBP"), "image/webp")
    return thumb_name(filename), widths


def stored_names(filename: str, thumb_filename: str | None, widths: list[int] | None) -> list[str]:
    names = [filename, thumb_filename or ""]
    names += [webp_name(filename, width) for width in widths or ()]
    return [name for name in dict.fromkeys(names) if name]
