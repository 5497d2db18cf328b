"""Error pages render even after the request that failed broke its database transaction."""

import sqlalchemy as sa

from storefront import settings
from storefront.extensions import db
from storefront.models import Category


def _route_that_breaks_its_transaction(app):
    """A view whose flush fails (duplicate category names): the session needs a rollback before any query."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer with the 500 page, as in production

    @app.get("/_broken")
    def broken():
        db.session.add_all([Category(name="중복"), Category(name="중복")])
        db.session.flush()

    app.extensions.pop(settings._CACHE_KEY, None)  # the error page must read the settings from the database


def test_500_page_renders_after_a_failed_transaction(app, client):
    _route_that_breaks_its_transaction(app)
    response = client.get("/_broken")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "문제가 발생했습니다" in page
    assert "테스트상점" in page  # the shop's own layout, read after the rollback
    assert client.get("/").status_code == 200  # the next request is not poisoned either


def test_error_page_without_a_database_is_still_a_page(app, client, monkeypatch):
    _route_that_breaks_its_transaction(app)

    def unreachable():
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr("storefront.formatting.shop_settings", unreachable)
    response = client.get("/_broken")
    assert response.status_code == 500
    assert "<h1>" in response.get_data(as_text=True)
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "페이지를 찾을 수 없습니다" in missing.get_data(as_text=True)
