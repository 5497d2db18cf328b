"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set)."""

import io
import os
import re

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from PIL import Image

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
