"""Absolute URLs for links that leave the site (copied links, previews, QR codes)."""

from urllib.parse import urlsplit

from flask import current_app, url_for
from werkzeug.routing import IntegerConverter


class IdConverter(IntegerConverter):
    """A database id in a URL: a positive number that fits the id column, anything else is 404."""

    def __init__(self, map):
        super().__init__(map, min=1, max=2**31 - 1)


def small_int(value: int | None) -> int:
    """A number from a query string, or 0 when it cannot be a database id."""
    return value if isinstance(value, int) and 0 < value < 2**31 else 0


def absolute_url(endpoint: str, **values) -> str:
    """From the configured public base URL when set, else from the request."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def local_path(target: str | None, fallback: str) -> str:
    """``target`` if it is a path on this site, else ``fallback`` (no open redirects)."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
