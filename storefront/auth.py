"""Merchant accounts: lookup for Flask-Login and the create-admin operation."""

import hmac

import sqlalchemy as sa

from .extensions import db, login_manager
from .models import AdminUser
from .numbers import parse_id


@login_manager.user_loader
def load_user(session_id: str) -> AdminUser | None:
    """The admin of a login cookie, while that login has not been ended (see AdminUser.get_id)."""
    user_id, _, token = session_id.partition(".")
    user_id = parse_id(user_id)
    if user_id is None or not token:
        return None
    user = db.session.get(AdminUser, user_id)
    if user is None or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def has_admin() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AdminUser)) > 0


def find_admin(email: str) -> AdminUser | None:
    return db.session.scalar(sa.select(AdminUser).where(AdminUser.email == email.strip().lower()))


def authenticate(email: str, password: str) -> AdminUser | None:
    user = find_admin(email)
    if user is None:
        # Same work whether or not the account exists, so timing does not tell.
        AdminUser(password_hash="").set_password(password)
        return None
    return user if user.check_password(password) else None


def create_or_update_admin(email: str, password: str) -> AdminUser:
    user = find_admin(email)
    if user is None:
        user = AdminUser(email=email.strip().lower())
        db.session.add(user)
    user.set_password(password)
    db.session.flush()
    return user
