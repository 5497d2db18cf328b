"""SQLite: pages that write take the write lock first, so a commit from another process never breaks them."""

import threading

import pytest
import sqlalchemy as sa

from storefront import notifications
from storefront.extensions import db
from storefront.transactions import WRITING_GET_ENDPOINTS

from .conftest import place


def _commit_from_another_connection(app) -> threading.Thread:
    """Another process saves the shop settings (it waits for the lock when a request holds it)."""
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])

    def commit():
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE shop_settings SET description = 'changed elsewhere'"))
        engine.dispose()

    thread = threading.Thread(target=commit)
    thread.start()
    return thread


def test_admin_order_page_survives_a_commit_in_between(app, client, admin, bank_ready, make_product, monkeypatch):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite locking")
    _, token = make_product()
    place(client, token)
    others = []
    mark_read = notifications.mark_read

    def read_then_someone_commits(order_id):
        # The page has read the order; now another connection commits, then the page writes.
        others.append(_commit_from_another_connection(app))
        others[-1].join(timeout=0.5)
        mark_read(order_id)

    monkeypatch.setattr(notifications, "mark_read", read_then_someone_commits)
    response = client.get("/admin/orders/1")
    assert response.status_code == 200
    others[0].join(timeout=20)
    assert not others[0].is_alive()
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT description FROM shop_settings")) == "changed elsewhere"


def test_a_get_page_that_writes_must_be_listed(app, client):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite transactions")
    app.config["PROPAGATE_EXCEPTIONS"] = True

    @app.get("/_writes")
    def writes():
        db.session.execute(sa.text("UPDATE shop_settings SET description = 'x'"))
        return "ok"

    with pytest.raises(RuntimeError, match="WRITING_GET_ENDPOINTS"):
        client.get("/_writes")
    assert "admin.order_detail" in WRITING_GET_ENDPOINTS
