"""Product image uploads: verified with Pillow, stored once under content-hash names
(in the folder or the bucket of :mod:`storefront.storage`).

Everything a page needs (a display copy with EXIF orientation applied, a
thumbnail, a 1200×630 link-preview JPEG) is made here at upload time, never
per request. Files are immutable: a new picture is a new name, which is also
what makes messengers fetch a changed preview image.
"""

import hashlib
import io
import logging
import re
import warnings
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from . import storage
from .storage import StorageError

log = logging.getLogger(__name__)

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
PREVIEW_SIZE = (1200, 630)
PREVIEW_MAX_BYTES = 300 * 1024
THUMB_SIZE = (480, 480)
DISPLAY_MAX_SIDE = 2000
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
STORED_NAME_RE = re.compile(r"^[0-9a-f]{32}(-thumb|-og)?\.(jpg|png|webp|gif)$")


class ImageRejected(ValueError):
    """The upload is not an image we accept, or could not be stored; ``str(exc)`` is a message for the merchant."""


@dataclass(frozen=True)
class StoredImage:
    content_hash: str
    file_name: str
    width: int
    height: int


def thumb_name(content_hash: str) -> str:
    return f"{content_hash[:32]}-thumb.jpg"


def preview_name(content_hash: str) -> str:
    return f"{content_hash[:32]}-og.jpg"


def store_upload(data: bytes) -> StoredImage:
    """Verify ``data`` is an allowed image and store its display copy, thumbnail and preview.

    Every check and every encoding happens before anything is stored; a store that fails half-way
    removes what it wrote, so a refused or failed upload leaves nothing behind.
    """
    if len(data) > current_app.config["MAX_IMAGE_BYTES"]:
        limit = current_app.config["MAX_IMAGE_BYTES"] // (1024 * 1024)
        raise ImageRejected(_l("The image is larger than %(mb)d MB.", mb=limit))
    if not data:
        raise ImageRejected(_l("The file is empty."))
    image = _open_verified(data)
    content_hash = hashlib.sha256(data).hexdigest()
    file_name = f"{content_hash[:32]}.{ALLOWED_FORMATS[image.format]}"
    try:
        display = ImageOps.exif_transpose(image)
        display.thumbnail((DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE))
        stored = StoredImage(content_hash, file_name, display.width, display.height)
        if _already_stored(stored):
            return stored
        # The preview last: a picture whose preview is stored is stored whole (see _already_stored).
        files = {
            file_name: _encode(display, image.format),
            thumb_name(content_hash): _encode_thumbnail(display),
            preview_name(content_hash): encode_preview(display),
        }
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageRejected(_l("The image could not be read; it may be damaged.")) from exc
    _save_all(files)
    return stored


def _already_stored(stored: StoredImage) -> bool:
    pictures = storage.pictures()
    try:
        return pictures.exists(stored.file_name) and pictures.exists(preview_name(stored.content_hash))
    except StorageError as exc:
        raise _storage_failed(exc) from exc


def _save_all(files: dict[str, bytes]) -> None:
    pictures = storage.pictures()
    saved: list[str] = []
    try:
        for name, data in files.items():
            pictures.save(name, data)
            saved.append(name)
    except StorageError as exc:
        try:
            pictures.delete(saved)
        except StorageError:
            log.warning("%d picture file(s) of a failed upload left for prune-uploads: %s", len(saved), saved)
        raise _storage_failed(exc) from exc


def _storage_failed(exc: StorageError) -> ImageRejected:
    log.error("picture not stored: %s", exc)
    return ImageRejected(_l("The image could not be saved: the picture storage is unavailable. Try again in a moment."))


def stored_image(content_hash: str) -> StoredImage | None:
    """The already stored upload with this hash, if any (used to keep uploads across form errors)."""
    if not HASH_RE.match(content_hash):
        return None
    for ext in ALLOWED_FORMATS.values():
        name = f"{content_hash[:32]}.{ext}"
        data = storage.pictures().read(name)
        if data is not None:
            try:
                with Image.open(io.BytesIO(data)) as img:
                    return StoredImage(content_hash, name, img.width, img.height)
            except (OSError, UnidentifiedImageError):
                return None
    return None


def _open_verified(data: bytes) -> Image.Image:
    max_pixels = current_app.config["MAX_IMAGE_PIXELS"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
            if probe.width * probe.height > max_pixels:
                raise ImageRejected(_l("The image has too many pixels."))
            probe.verify()  # structure and checksums; the object is unusable afterwards
            image = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
            image.load()  # decodes every byte: catches truncated files
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(_l("The image has too many pixels.")) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRejected(
            _l("Only JPEG, PNG, WebP or GIF images can be uploaded, and the file must be intact.")
        ) from exc
    return image


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True, progressive=True)
    elif fmt == "GIF":
        image.save(out, "GIF")
    else:
        image.save(out, fmt)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on a white background (transparent PNGs would otherwise turn black in JPEG)."""
    rgba = image.convert("RGBA")
    canvas = Image.new("RGB", rgba.size, "white")
    canvas.paste(rgba, mask=rgba.getchannel("A"))
    return canvas


def _encode_thumbnail(image: Image.Image) -> bytes:
    thumb = ImageOps.fit(_flatten(image), THUMB_SIZE, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue()


def encode_preview(image: Image.Image) -> bytes:
    """The 1200×630 link-preview JPEG, at most 300 KB.

    The picture is fitted whole inside the centre 2:1 area, because KakaoTalk
    crops previews to 2:1 around the centre and a product must not lose its edges.
    """
    flat = _flatten(image)
    canvas = Image.new("RGB", PREVIEW_SIZE, "white")
    safe_box = (PREVIEW_SIZE[0] - 60, PREVIEW_SIZE[1] - 60)
    fitted = ImageOps.contain(flat, safe_box, Image.Resampling.LANCZOS)
    canvas.paste(
        fitted,
        ((PREVIEW_SIZE[0] - fitted.width) // 2, (PREVIEW_SIZE[1] - fitted.height) // 2),
    )
    for quality in (85, 75, 65, 55, 45, 35):
        out = io.BytesIO()
        canvas.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
        if out.tell() <= PREVIEW_MAX_BYTES:
            break
    return out.getvalue()
