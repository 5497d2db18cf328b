"""Nobody gets into the admin, finds a link they were not sent, or is redirected off the site."""

import re

import pytest
import sqlalchemy as sa

from storefront.admin import PUBLIC_ENDPOINTS
from storefront.extensions import db
from storefront.models import AuditEntry, Category, Product, ProductEvent

from ..conftest import ADMIN_EMAIL, ADMIN_PASSWORD, place


def admin_rules(app):
    rules = app.url_map.iter_rules()
    return [r for r in rules if r.endpoint.startswith("admin.") and r.endpoint not in PUBLIC_ENDPOINTS]


def fill(rule) -> str:
    return re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)


def snapshot(app):
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(Product)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Category)),
            db.session.scalar(sa.select(sa.func.count()).select_from(ProductEvent)),
            db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)),
            tuple(db.session.scalars(sa.select(Product.public_token).order_by(Product.id))),
        )


def test_every_admin_route_sends_anonymous_visitors_to_login(app, client, make_product):
    make_product()
    for rule in admin_rules(app):
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(fill(rule), method=method)
            if method == "GET":
                assert response.status_code == 302 and "/admin/login?next=" in response.headers["Location"], rule
            else:
                assert response.status_code in (302, 400), rule
                assert response.status_code != 200


def test_setup_page_is_closed_once_the_shop_has_an_admin(client):
    for url in ("/admin/setup", "/admin/setup?code=anything"):
        assert client.get(url).headers["Location"] == "/admin/login"
    assert client.post("/admin/setup", data={"code": "x", "email": "a@b.kr"}).status_code in (302, 400)


@pytest.mark.parametrize("token", [None, "wrong-token", "IjEyMyI.aaaa.bbbb"])
def test_every_admin_post_without_a_valid_csrf_token_changes_nothing(app, client, admin, make_product, token):
    make_product(name="그대로")
    before = snapshot(app)
    for rule in admin_rules(app):
        if "POST" not in rule.methods:
            continue
        data = {"name": "바뀜", "price": "1", "action": "save", "rows-0-name": "새 카테고리"}
        if token:
            data["csrf_token"] = token
        response = client.post(fill(rule), data=data)
        assert response.status_code == 400, rule
    assert snapshot(app) == before


@pytest.mark.parametrize(
    "target", ["//evil.example", "https:evil", "\\\\evil", "https://evil.example", "/\\evil.example"]
)
def test_open_redirects_stay_on_site(client, auth, target):
    response = auth.login(next_url=target)
    assert response.headers["Location"] == "/admin/"
    assert client.get(f"/lang/en?next={target}").headers["Location"] == "/"


def test_logout_invalidates_a_copied_session_cookie(app, client, admin):
    stolen = client.get_cookie("session").value
    admin.post("/admin/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/admin/products").status_code == 302


def test_login_starts_a_new_session(client, auth):
    client.get("/admin/login")
    before = client.get_cookie("session").value
    auth.login()
    assert client.get_cookie("session").value != before


def test_repeated_failed_logins_are_blocked_for_a_while(app, client, auth):
    for _ in range(5):
        assert auth.login(password="wrong").status_code == 401
    blocked = auth.login()  # even the right password, for now
    assert blocked.status_code == 429
    assert "로그인 실패가 너무 많습니다" in blocked.get_data(as_text=True)
    assert client.get("/admin/products").status_code == 302


def test_failed_logins_from_one_address_across_accounts_are_blocked(app, client, auth):
    for i in range(20):
        auth.login(email=f"guess{i}@example.com", password="x")
    assert auth.login(ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 429


@pytest.mark.parametrize("probe", ["1", "2", "00000001", "AAAAAAAAAAAAAAAAAAAAAA", "../admin", "1%27%20OR%201=1"])
def test_guessing_product_urls_finds_nothing(client, make_product, probe):
    make_product(name="비밀 결제창", listed=False)
    response = client.get(f"/products/{probe}")
    assert response.status_code == 404
    assert "비밀 결제창" not in response.get_data(as_text=True)


def test_order_pages_answer_the_same_with_or_without_an_order(app, client, bank_ready, make_product):
    _, token = make_product()
    location = place(client, token).headers["Location"]
    order_no = re.match(r"/orders/([^?]+)", location).group(1)
    stranger = app.test_client()
    real = stranger.get(f"/orders/{order_no}")
    fake = stranger.get("/orders/990101-ZZZZZZZZ")
    wrong = stranger.get(f"/orders/{order_no}?t=" + "A" * 32)
    assert real.status_code == fake.status_code == wrong.status_code == 404
    strip = lambda r: re.sub(r"next=[^\"]*", "", r.get_data(as_text=True))  # noqa: E731
    assert strip(real) == strip(fake) == strip(wrong)


def test_security_headers(client, admin, make_product):
    _, token = make_product()
    shop = client.get(f"/products/{token}")
    csp = shop.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert shop.headers["X-Content-Type-Options"] == "nosniff"
    assert shop.headers["Referrer-Policy"] == "same-origin"
    admin_page = client.get("/admin/products")
    assert "frame-ancestors 'none'" in admin_page.headers["Content-Security-Policy"]
    cookie = [h for h in admin_page.headers.getlist("Set-Cookie")] or [
        h for h in client.post("/admin/login").headers.getlist("Set-Cookie")
    ]
    assert all("HttpOnly" in c and "SameSite=Lax" in c for c in cookie if c.startswith("session="))


def test_no_inline_scripts_in_any_template():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    for template in root.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"\son[a-z]+=", text), template


def test_secure_cookie_over_https(tmp_path, database_url):
    from storefront import create_app

    app = create_app(
        {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url,
         "PUBLIC_BASE_URL": "https://shop.example.kr"}
    )  # fmt: skip
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_debug_and_a_missing_secret(tmp_path, monkeypatch):
    from storefront import create_app
    from storefront.config import ConfigurationError

    with pytest.raises(ConfigurationError, match="STOREFRONT_SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path), "PRODUCTION": True})
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigurationError, match="debug"):
        create_app({"INSTANCE_PATH": str(tmp_path), "PRODUCTION": True, "SECRET_KEY": "a-real-secret"})
