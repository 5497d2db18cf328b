"""First run: the owner's account is made on a terminal, or in the browser with a one-time code from the console."""

import hashlib
import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from storefront import cli
from storefront.extensions import db
from storefront.models import AdminRole, AdminUser, SetupCode, utcnow

from .conftest import csrf_from


@pytest.fixture
def fresh_shop(app):
    """A shop whose database exists but holds no admin account yet."""
    with app.app_context():
        db.session.execute(sa.delete(AdminUser))
        db.session.commit()
    return app


def printed_code(caplog) -> str:
    [link] = re.findall(r"/admin/setup\?code=([A-Za-z0-9_-]+)", caplog.text)
    return link


def setup_form(client, code, **fields):
    html = client.get(f"/admin/setup?code={code}").get_data(as_text=True)
    data = {"email": "owner@shop.kr", "password": "a-long-password", "password_confirm": "a-long-password"}
    data.update(fields, code=code, csrf_token=csrf_from(html))
    return client.post("/admin/setup", data=data)


def test_create_admin_if_missing_asks_on_a_terminal(fresh_shop, runner, monkeypatch):
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    result = runner.invoke(
        args=["create-admin", "--if-missing"], input="me@shop.kr\na-long-password\na-long-password\n"
    )
    assert result.exit_code == 0, result.output
    assert "Admin me@shop.kr is ready" in result.output
    with fresh_shop.app_context():
        user = db.session.scalar(sa.select(AdminUser))
        assert user.email == "me@shop.kr" and user.role is AdminRole.OWNER


def test_setup_page_without_a_code_offers_no_account_form_and_prints_a_link(fresh_shop, client, caplog):
    caplog.set_level(logging.WARNING)
    assert client.get("/admin/").headers["Location"].startswith("/admin/login")
    assert client.get("/admin/login").headers["Location"] == "/admin/setup"
    html = client.get("/admin/setup").get_data(as_text=True)
    assert 'type="password"' not in html
    assert "1회용 설정 링크" in html
    code = printed_code(caplog)
    # Only its hash is stored.
    with fresh_shop.app_context():
        [stored] = db.session.scalars(sa.select(SetupCode.code_hash)).all()
    assert stored == hashlib.sha256(code.encode()).hexdigest() and code not in stored
    # A second visit while the code is valid prints nothing new.
    caplog.clear()
    client.get("/admin/setup")
    assert "/admin/setup?code=" not in caplog.text


def test_a_wrong_code_is_refused(fresh_shop, client, caplog):
    caplog.set_level(logging.WARNING)
    client.get("/admin/setup")
    response = client.get("/admin/setup?code=guessed-code-123")
    assert response.status_code == 403
    assert 'type="password"' not in response.get_data(as_text=True)
    token = csrf_from(client.get(f"/admin/setup?code={printed_code(caplog)}").get_data(as_text=True))
    data = {"code": "guessed", "email": "x@shop.kr", "password": "a-long-password",
            "password_confirm": "a-long-password", "csrf_token": token}  # fmt: skip
    assert client.post("/admin/setup", data=data).status_code == 403
    with fresh_shop.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AdminUser)) == 0


def test_the_printed_code_makes_the_owner_once(fresh_shop, client, caplog):
    caplog.set_level(logging.WARNING)
    client.get("/admin/setup")
    code = printed_code(caplog)
    page = client.get(f"/admin/setup?code={code}").get_data(as_text=True)
    assert "관리자 계정 만들기" in page and 'type="password"' in page
    response = setup_form(client, code)
    assert response.headers["Location"] == "/admin/"
    home = client.get("/admin/").get_data(as_text=True)
    assert "시작하기" in home and "owner@shop.kr" in home
    with fresh_shop.app_context():
        assert db.session.scalar(sa.select(AdminUser.role)) is AdminRole.OWNER
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SetupCode)) == 0
    # The link does not work a second time, not even for a new visitor.
    other = fresh_shop.test_client()
    assert other.get(f"/admin/setup?code={code}").headers["Location"] == "/admin/login"


def test_setup_form_errors_keep_the_code_and_the_email(fresh_shop, client, caplog):
    caplog.set_level(logging.WARNING)
    client.get("/admin/setup")
    code = printed_code(caplog)
    response = setup_form(client, code, password_confirm="something-else")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "두 비밀번호가 같지 않습니다." in html
    assert 'value="owner@shop.kr"' in html and f'value="{code}"' in html
    assert setup_form(client, code).headers["Location"] == "/admin/"


def test_a_code_older_than_an_hour_is_refused(fresh_shop, client, caplog):
    caplog.set_level(logging.WARNING)
    client.get("/admin/setup")
    code = printed_code(caplog)
    with fresh_shop.app_context():
        db.session.execute(sa.update(SetupCode).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    caplog.clear()
    assert client.get(f"/admin/setup?code={code}").status_code == 403
    # With no valid code left, the server prints a new one.
    assert printed_code(caplog) != code


def test_the_printed_setup_link_never_takes_the_requests_host(fresh_shop, client, caplog):
    # Whoever makes the first request chooses its Host header; a link to their host would hand them the code.
    caplog.set_level(logging.WARNING)
    client.get("/admin/setup", headers={"Host": "shop-login.evil.example"})
    printed_code(caplog)
    assert "evil.example" not in caplog.text
