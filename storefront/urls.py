"""Absolute URLs for links that leave the site (copied links, previews, QR codes)."""

from urllib.parse import urlsplit

from flask import current_app, url_for


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
