"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set)."""

import io
import os
import re
import threading

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from PIL import Image
from werkzeug.serving import make_server

from storefront import catalog, create_app
from storefront.auth import create_or_update_admin
from storefront.extensions import db

ADMIN_EMAIL = "owner@example.com"
ADMIN_PASSWORD = "correct horse battery"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def reset_database(url: str) -> None:
    """Empty a shared test database (PostgreSQL) so every test starts from nothing."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


DATABASES = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """Each database test runs on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set."""
    if request.param == "postgresql":
        reset_database(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return "sqlite:///" + str(tmp_path / "instance" / "test.sqlite")


@pytest.fixture
def app(tmp_path, database_url):
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PUBLIC_BASE_URL": "",
            "SHOP_NAME": "테스트상점",
        }
    )
    with app.app_context():
        upgrade()
        create_or_update_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "page has no CSRF token"
    return match.group(1)


class AuthActions:
    """Logs the merchant in through the real form and sends forms with the session's CSRF token."""

    def __init__(self, client):
        self._client = client
        self.token = None

    def login(self, email=ADMIN_EMAIL, password=ADMIN_PASSWORD, next_url=None):
        page = self._client.get("/admin/login")
        self.token = csrf_from(page.get_data(as_text=True))
        url = "/admin/login" + (f"?next={next_url}" if next_url else "")
        response = self._client.post(url, data={"email": email, "password": password, "csrf_token": self.token})
        # A new session after login carries a new token.
        self.token = csrf_from(self._client.get("/admin/categories", follow_redirects=True).get_data(as_text=True))
        return response

    def post(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        return self._client.post(url, data=data, **kwargs)


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def admin(auth):
    """A logged-in merchant."""
    auth.login()
    return auth


def image_bytes(fmt="JPEG", size=(640, 480), colour=(200, 80, 40), **save_kwargs) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, size, colour).save(out, fmt, **save_kwargs)
    return out.getvalue()


@pytest.fixture
def make_product(app):
    """Create a product through the catalogue operation, as the admin would."""

    def make(**fields):
        fields.setdefault("name", "테스트 상품")
        fields.setdefault("price", 12000)
        image_hashes = fields.pop("images", [])
        with app.app_context():
            from storefront import images

            hashes = [images.store_upload(data).content_hash for data in image_hashes]
            product = catalog.create_product(catalog.ProductData(image_hashes=hashes, **fields))
            db.session.commit()
            return product.id, product.public_token

    return make


@pytest.fixture
def bank_ready(app):
    """The merchant has set the account for bank transfers."""
    from storefront.settings import save_settings

    with app.test_request_context():
        save_settings({"bank_name": "국민은행", "bank_account": "123456-01-234567", "bank_holder": "규섭커피"})
        db.session.commit()


BUYER_FORM = {
    "buyer_name": "김규섭",
    "buyer_phone": "010-1234-5678",
    "buyer_email": "kim@example.com",
    "recipient_name": "김규섭",
    "recipient_phone": "010 1234 5678",
    "postcode": "06236",
    "address": "서울특별시 강남구 테헤란로 123",
    "address_detail": "4층",
    "delivery_note": "문 앞에 놓아 주세요",
    "quantity": "1",
    "payment_method": "bank_transfer",
    "depositor_name": "김규섭",
    "agree_collection": "y",
    "agree_terms": "y",
}


def checkout_page(client, token):
    """GET the checkout page; returns (csrf token, nonce) as a browser would have them."""
    html = client.get(f"/products/{token}/buy").get_data(as_text=True)
    nonce = re.search(r'id="nonce" name="nonce" type="hidden" value="([^"]+)"', html).group(1)
    return csrf_from(html), nonce


def filled_checkout(browser, url) -> dict:
    """Open the checkout over HTTP (a requests.Session) and return the form a buyer would send."""
    html = browser.get(url, timeout=30).text
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', html).group(1)
    return {**BUYER_FORM, "csrf_token": csrf_from(html), "nonce": nonce}


def place(client, token, **overrides):
    """Fill in and send the checkout form like a customer."""
    csrf, nonce = checkout_page(client, token)
    data = {**BUYER_FORM, "csrf_token": csrf, "nonce": nonce, **overrides}
    return client.post(f"/products/{token}/buy", data={k: v for k, v in data.items() if v is not None})


class LiveServer:
    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=10)


@pytest.fixture
def live_app(app):
    """The test app served by a real threaded HTTP server on 127.0.0.1 (a free port)."""
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
