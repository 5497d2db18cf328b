"""Failed logins are counted in the database, so every app process refuses together."""

from datetime import timedelta

import sqlalchemy as sa

from storefront import create_app
from storefront.extensions import db
from storefront.models import LoginAttempt, utcnow

from ..conftest import ADMIN_EMAIL, ADMIN_PASSWORD, AuthActions


def _second_instance(app):
    """Another app process on the same database (as a second gunicorn worker would be)."""
    other = create_app({key: app.config[key] for key in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI")}
                       | {"INSTANCE_PATH": app.instance_path, "SHOP_NAME": "테스트상점"})  # fmt: skip
    return other


def test_failures_on_two_instances_add_up(app):
    other = _second_instance(app)
    first, second = AuthActions(app.test_client()), AuthActions(other.test_client())
    for i in range(5):
        worker = first if i % 2 else second
        assert worker.login(password="wrong").status_code == 401
    assert first.login().status_code == 429  # even the right password, on either instance
    assert second.login().status_code == 429
    with other.app_context():
        db.engine.dispose()


def test_a_burst_never_gets_more_tries_than_the_limit(app):
    other = _second_instance(app)
    clients = [AuthActions(app.test_client()), AuthActions(other.test_client())]
    answers = [clients[i % 2].login(password=f"guess{i}").status_code for i in range(30)]
    assert answers.count(401) == 5 and answers.count(429) == 25
    with other.app_context():
        db.engine.dispose()


def test_failures_expire_and_a_successful_login_leaves_no_row(app, auth):
    for _ in range(5):
        auth.login(password="wrong")
    with app.app_context():
        db.session.execute(sa.update(LoginAttempt).values(created_at=utcnow() - timedelta(minutes=16)))
        db.session.commit()
    assert auth.login().status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 0


def test_redis_style_storage_is_still_an_option(app, client):
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    auth = AuthActions(client)
    for _ in range(5):
        assert auth.login(password="wrong").status_code == 401
    assert auth.login(ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 429
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 0
