"""The back office is behind login, once for the whole blueprint, and every POST needs CSRF."""

import re

import pytest
import sqlalchemy as sa

from storefront.admin import PUBLIC_ENDPOINTS
from storefront.extensions import db
from storefront.models import AdminUser, Product

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD


def admin_urls(app, methods):
    """Every admin route, with placeholder ids filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        if not set(methods) & rule.methods:
            continue
        path = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
        urls.append(path)
    assert urls, "no admin routes found"
    return urls


def test_every_admin_page_sends_an_anonymous_visitor_to_login(app, client, make_product):
    make_product()
    for url in admin_urls(app, {"GET"}):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/admin/login?next="), url
    for url in admin_urls(app, {"POST"}):
        response = client.post(url)
        # The CSRF check runs first and refuses; either way nothing is reachable.
        assert response.status_code in (302, 400), url


def test_every_admin_post_without_csrf_token_is_refused(app, client, admin, make_product):
    product_id, token = make_product(name="원래 이름")
    for url in admin_urls(app, {"POST"}):
        response = client.post(url, data={"name": "바뀐 이름", "price": "1"})
        assert response.status_code == 400, url
        assert "보안을 위해" in response.get_data(as_text=True)
    with app.app_context():
        product = db.session.get(Product, product_id)
        assert product.name == "원래 이름"
        assert product.public_token == token
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 1


def test_login_then_pages_open(client, auth):
    response = auth.login()
    assert response.status_code == 302
    page = client.get("/admin/products")
    assert page.status_code == 200
    assert "상품 관리" in page.get_data(as_text=True)


def test_wrong_password_shows_a_message_and_keeps_the_email(client, auth):
    response = auth.login(password="wrong password")
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "이메일 또는 비밀번호가 올바르지 않습니다." in html
    assert f'value="{ADMIN_EMAIL}"' in html
    assert client.get("/admin/products").status_code == 302


def test_unknown_email_gets_the_same_message(auth):
    html = auth.login(email="nobody@example.com").get_data(as_text=True)
    assert "이메일 또는 비밀번호가 올바르지 않습니다." in html


def test_login_returns_to_the_local_next_page(auth):
    response = auth.login(next_url="/admin/categories")
    assert response.headers["Location"] == "/admin/categories"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "https:evil", "\\\\evil", "/\\evil"])
def test_login_next_never_leaves_the_site(auth, target):
    response = auth.login(next_url=target)
    assert response.headers["Location"] == "/admin/"


def test_logout_is_a_post_and_ends_the_session(client, admin):
    assert client.get("/admin/logout").status_code in (302, 405)
    assert client.get("/admin/products").status_code == 200
    response = admin.post("/admin/logout")
    assert response.status_code == 302
    assert client.get("/admin/products").status_code == 302


def test_login_page_sends_a_shop_without_admin_to_setup(app, client):
    with app.app_context():
        db.session.execute(sa.delete(AdminUser))
        db.session.commit()
    assert client.get("/admin/login").headers["Location"] == "/admin/setup"
    html = client.get("/admin/setup").get_data(as_text=True)
    assert "아직 관리자 계정이 없습니다" in html
    assert "flask --app storefront create-admin" in html


def test_create_admin_command_creates_a_working_login(app, runner, client, auth):
    result = runner.invoke(args=["create-admin", "--email", "New@Example.com", "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(AdminUser).where(AdminUser.email == "new@example.com"))
        assert user is not None and user.password_hash != "a-long-password"
    assert auth.login("new@example.com", "a-long-password").status_code == 302


def test_a_failed_login_does_not_write_the_password_back_into_the_page(client, auth):
    response = auth.login(password="wrong-secret-123")
    html = client.post(
        "/admin/login", data={"email": ADMIN_EMAIL, "password": "wrong-secret-123", "csrf_token": auth.token}
    ).get_data(as_text=True)
    assert response.status_code == 401
    assert 'type="password"' in html and "wrong-secret-123" not in html


def test_the_app_stores_passwords_with_scrypt(monkeypatch):
    # The suite hashes cheaply (see conftest); the shop itself keeps werkzeug's scrypt.
    from werkzeug.security import check_password_hash

    from storefront import models

    from .conftest import APP_PASSWORD_HASHER

    monkeypatch.setattr(models, "generate_password_hash", APP_PASSWORD_HASHER)
    user = AdminUser(email="x@example.com")
    user.set_password("a-long-password")
    assert user.password_hash.startswith("scrypt:")
    assert check_password_hash(user.password_hash, "a-long-password")


def test_create_admin_prompts_and_refuses_short_passwords(runner):
    result = runner.invoke(args=["create-admin"], input="x@example.com\nshort\nshort\n")
    assert result.exit_code != 0
    assert "at least 8" in result.output


def test_create_admin_if_missing_without_a_terminal_prints_a_setup_link(app, runner):
    with app.app_context():
        db.session.execute(sa.delete(AdminUser))
        db.session.commit()
    result = runner.invoke(args=["create-admin", "--if-missing"])
    assert result.exit_code == 0
    assert "No admin account yet" in result.output
    assert "http://127.0.0.1:5000/admin/setup?code=" in result.output


def test_create_admin_reads_the_environment(app, runner, monkeypatch, auth):
    monkeypatch.setenv("STOREFRONT_ADMIN_EMAIL", "env@example.com")
    monkeypatch.setenv("STOREFRONT_ADMIN_PASSWORD", "password-from-env")
    result = runner.invoke(args=["create-admin", "--if-missing"])
    assert result.exit_code == 0
    # An admin already exists (the fixture's), so --if-missing leaves everything alone.
    assert auth.login("env@example.com", "password-from-env").headers.get("Location") is None
    assert auth.login(ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 302


def test_seed_demo_fills_an_empty_shop_once(app, runner, client):
    result = runner.invoke(args=["seed-demo", "--products", "30"])
    assert result.exit_code == 0 and "Personal payment window link: /products/" in result.output
    token = result.output.rsplit("/products/", 1)[1].strip()
    assert "김규섭 고객님 개인결제창" in client.get(f"/products/{token}").get_data(as_text=True)
    assert "김규섭 고객님 개인결제창" not in client.get("/").get_data(as_text=True)
    assert "only fills an empty shop" in runner.invoke(args=["seed-demo"]).output
