"""Jinja filters and globals: how the shop writes money, text and asset URLs."""

import hashlib
import re
from functools import cache
from pathlib import Path

from flask import Flask, current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from .urls import absolute_url


def won(amount: int | None) -> str:
    """12000 → "12,000원" (Korean) / "₩12,000" (English)."""
    return _("₩%(amount)s", amount=format(int(amount or 0), ","))


def plain_excerpt(text: str | None, limit: int = 150) -> str:
    """One line of plain text for meta descriptions: whitespace folded, cut at a word."""
    flat = re.sub(r"\s+", " ", text or "").strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut + "…"


def paragraphs(text: str | None) -> Markup:
    """Line breaks a merchant typed, kept; everything else escaped."""
    escaped = Markup.escape(text or "")
    return Markup("<br>\n").join(escaped.splitlines())


@cache
def _static_version(static_folder: str, filename: str) -> str:
    return hashlib.sha256((Path(static_folder) / filename).read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """A static file's URL carrying its content hash, so it can be cached for a year."""
    version = _static_version(current_app.static_folder, filename)
    return url_for("static", filename=filename, v=version)


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(absolute_url=absolute_url, static_url=static_url)
    app.context_processor(lambda: {"current_locale": str(get_locale() or "ko")})
    app.add_template_filter(won)
    app.add_template_filter(plain_excerpt)
    app.add_template_filter(paragraphs)
