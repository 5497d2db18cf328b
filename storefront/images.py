"""Product image uploads: verified with Pillow, stored once under content-hash names.

Everything a page needs (a display copy with EXIF orientation applied, a
thumbnail, a 1200×630 link-preview JPEG) is made here at upload time, never
per request. Files are immutable: a new picture is a new name, which is also
what makes messengers fetch a changed preview image.
"""

import hashlib
import io
import os
import re
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
PREVIEW_SIZE = (1200, 630)
PREVIEW_MAX_BYTES = 300 * 1024
THUMB_SIZE = (480, 480)
DISPLAY_MAX_SIDE = 2000
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
STORED_NAME_RE = re.compile(r"^[0-9a-f]{32}(-thumb|-og)?\.(jpg|png|webp|gif)$")


class ImageRejected(ValueError):
    """The upload is not an image we accept; ``str(exc)`` is a message for the merchant."""


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


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(data: bytes) -> StoredImage:
    """Verify ``data`` is an allowed image and store its display copy, thumbnail and preview."""
    if len(data) > current_app.config["MAX_IMAGE_BYTES"]:
        limit = current_app.config["MAX_IMAGE_BYTES"] // (1024 * 1024)
        raise ImageRejected(_l("The image is larger than %(mb)d MB.", mb=limit))
    if not data:
        raise ImageRejected(_l("The file is empty."))
    image = _open_verified(data)
    content_hash = hashlib.sha256(data).hexdigest()
    ext = ALLOWED_FORMATS[image.format]
    file_name = f"{content_hash[:32]}.{ext}"
    folder = upload_folder()

    try:
        display = ImageOps.exif_transpose(image)
        display.thumbnail((DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE))
        stored = StoredImage(content_hash, file_name, display.width, display.height)
        if (folder / file_name).exists() and (folder / preview_name(content_hash)).exists():
            return stored
        _write(folder / file_name, _encode(display, image.format))
        _write(folder / thumb_name(content_hash), _encode_thumbnail(display))
        _write(folder / preview_name(content_hash), encode_preview(display))
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageRejected(_l("The image could not be read; it may be damaged.")) from exc
    return stored


def stored_image(content_hash: str) -> StoredImage | None:
    """The already stored upload with this hash, if any (used to keep uploads across form errors)."""
    if not HASH_RE.match(content_hash):
        return None
    folder = upload_folder()
    for ext in ALLOWED_FORMATS.values():
        path = folder / f"{content_hash[:32]}.{ext}"
        if path.exists():
            try:
                with Image.open(path) as img:
                    return StoredImage(content_hash, path.name, img.width, img.height)
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


def _write(path: Path, data: bytes) -> None:
    """Write atomically, so a concurrent reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def prune(referenced_hashes: set[str], older_than_seconds: float) -> int:
    """Delete stored files no product or setting uses, once they are old enough.

    Uploads are stored when picked (so a form error never loses them); files of forms
    never saved are left behind. The age limit keeps files of forms being filled in now.
    """
    keep = {content_hash[:32] for content_hash in referenced_hashes}
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in upload_folder().iterdir():
        if not STORED_NAME_RE.match(path.name) or path.name[:32] in keep:
            continue
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
