"""The public shop: lists of listed products, and every product at its own link."""

from flask import Blueprint

bp = Blueprint("shop", __name__)

from . import cart, legal, routes  # noqa: E402,F401
