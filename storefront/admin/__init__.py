"""관리자페이지: the merchant's back office. Every route is behind login, checked once here."""

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from ..urls import local_path

bp = Blueprint("admin", __name__, url_prefix="/admin")

PUBLIC_ENDPOINTS = {"admin.login"}


@bp.before_request
def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))


@bp.after_request
def no_store(response):
    # Back-office pages hold customers' details: keep them out of shared caches and history.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


@bp.context_processor
def unread_orders():
    from ..notifications import unread_count

    return {"unread_orders": unread_count() if current_user.is_authenticated else 0}


def safe_next(target: str | None) -> str:
    """A local path to return to after login; anything else goes to the product list."""
    return local_path(target, url_for("admin.products"))


from . import legal, routes  # noqa: E402,F401  (routes attach themselves to bp)
