"""Absolute URLs for links that leave the site (copied links, previews, QR codes)."""

from urllib.parse import urlencode, urlsplit

from flask import current_app, has_request_context, request, url_for
from werkzeug.routing import IntegerConverter

from .numbers import INT_MAX, parse_id, parse_int


class IdConverter(IntegerConverter):
    """A database id in a URL: a positive number in ASCII digits that fits the id column, anything else is 404."""

    regex = r"[0-9]+"

    def __init__(self, map):
        super().__init__(map, min=1, max=INT_MAX)


def small_int(value: int | None) -> int:
    """A number from a query string, or 0 when it cannot be a database id."""
    return parse_id(value) or 0


def query_id(name: str) -> int | None:
    """An id from the query string (``?before=12``), or None when it is missing or not an id."""
    return parse_id(request.args.get(name))


def page_number() -> int:
    """``?page=`` for numbered lists; anything that is not a page number shows the first page."""
    return parse_int(request.args.get("page"), minimum=1) or 1


def url_with_query(endpoint: str, **changes) -> str:
    """``endpoint``'s URL carrying this request's query string, with ``changes`` applied (None removes one).

    The query is appended as text, never handed to url_for as arguments, so a visitor's
    ``?endpoint=`` or ``?_scheme=`` or ``?category_id=`` cannot break the link (or the page).
    """
    query = request.args.to_dict()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    path = url_for(endpoint, **(request.view_args or {})) if endpoint == request.endpoint else url_for(endpoint)
    return path + ("?" + urlencode(query) if query else "")


def absolute_url(endpoint: str, **values) -> str:
    """From the configured public base URL when set, else from the request.

    Production mode refuses to start without either PUBLIC_BASE_URL or TRUSTED_HOSTS
    (see config.check_production), so there the request's host is one the merchant named.
    """
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def mail_base_url() -> str:
    """The base of links in e-mails, which are read away from the request that caused them.

    Never a visitor's Host header: the public base URL, else the request's host only when
    TRUSTED_HOSTS has vouched for it, else localhost (a development machine).
    """
    base = current_app.config["PUBLIC_BASE_URL"]
    if base:
        return base
    if current_app.config.get("TRUSTED_HOSTS") and has_request_context():
        return request.host_url
    return "http://localhost/"


def local_path(target: str | None, fallback: str) -> str:
    """``target`` if it is a path on this site, else ``fallback`` (no open redirects)."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
