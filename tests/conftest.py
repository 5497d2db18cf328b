"""Shared fixtures: an app on an empty shop (SQLite, or PostgreSQL when TEST_DATABASE_URL is set).

Migrating a database and hashing a password are the slow parts of a test, so each kind of
database is migrated once per session, with the admin account in it, and every test starts
from that state again: SQLite copies the migrated file, PostgreSQL truncates every table and
puts back the rows a new shop starts with, the admin and the content generation (tests commit,
run CLI commands and serve live threads, so a rollback would not undo enough). Tests hash
passwords cheaply; the app's own method is tested separately.
"""

import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import uuid
from contextlib import closing
from datetime import datetime
from functools import partial
from pathlib import Path

import jinja2
import pytest
import sqlalchemy as sa
import time_machine
from flask import Flask
from flask_migrate import upgrade
from PIL import Image
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from storefront import catalog, create_app, models
from storefront.auth import create_or_update_admin
from storefront.extensions import db

from .builders import (
    CLIENT,
    PF_ID,
    SECRET,
    SENDER,
    SOLAPI_KEY,
    SOLAPI_SECRET,
    SOLAPI_WEBHOOK_SECRET,
    Bucket,
    ready_for_bank_transfers,
    template_id,
)
from .fake_solapi import FakeSolapi
from .fake_toss import FakeToss

ROOT = Path(__file__).resolve().parents[1]
ADMIN_EMAIL = "owner@example.com"
ADMIN_PASSWORD = "correct horse battery"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_PASSWORD_HASH = "pbkdf2:sha256:1"
APP_PASSWORD_HASHER = models.generate_password_hash


def reset_database(url: str) -> None:
    """Empty a shared test database (PostgreSQL): drop every table the tests made."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def migrated_app(url: str, instance_path: str):
    """Run the migrations on ``url`` and add the admin account, as a new shop's install does."""
    app = create_app({"INSTANCE_PATH": instance_path, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        create_or_update_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
    return app


class SQLiteTemplate:
    """A migrated SQLite file; each test gets a copy of it."""

    def __init__(self, folder):
        self.path = folder / "migrated.sqlite"
        app = migrated_app("sqlite:///" + str(self.path), str(folder))
        with app.app_context():
            db.engine.dispose()
        with closing(sqlite3.connect(self.path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, which is copied

    def fresh(self, tmp_path) -> str:
        target = tmp_path / "instance" / "test.sqlite"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path, target)
        return "sqlite:///" + str(target)


class PostgresDatabase:
    """The PostgreSQL test database, migrated once; each test gets its tables emptied."""

    def __init__(self, url: str, folder):
        self.url = url
        self.folder = folder
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        self.migrate()

    def migrate(self) -> None:
        reset_database(self.url)
        app = migrated_app(self.url, str(self.folder))
        with app.app_context():
            db.engine.dispose()
        with self.engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            self.admin_rows = [dict(row._mapping) for row in conn.execute(sa.text("SELECT * FROM admin_user"))]
            self.generation_rows = [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM content_generation"))]
            # The 추가 배송비 지역 the migration seeds, as a new shop has them.
            self.region_rows = [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM shipping_region"))]
        self.truncate = sa.text(
            "TRUNCATE {} RESTART IDENTITY CASCADE".format(", ".join(f'"{t}"' for t in tables if t != "alembic_version"))
        )
        for row in self.admin_rows + self.region_rows:
            row.pop("id")  # numbered by the restarted sequence, as in a new shop

    def fresh(self) -> str:
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.text("SET LOCAL lock_timeout = '20s'"))
                conn.execute(self.truncate)
                conn.execute(models.AdminUser.__table__.insert(), self.admin_rows)
                conn.execute(models.ContentGeneration.__table__.insert(), self.generation_rows)
                conn.execute(models.ShippingRegion.__table__.insert(), self.region_rows)
        except sa.exc.DBAPIError:
            self.migrate()  # a test left the schema changed or half-built: start over
        return self.url


DATABASES = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once for the session, shared by every test's app (each has its own Jinja)."""

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="session", autouse=True)
def shop_clock():
    """``STOREFRONT_TEST_CLOCK=2027-01-01T00:30+09:00 python -m pytest`` runs the whole suite with the
    clock starting at that instant (and ticking): how a date rule that holds only at some hours of
    the day is caught. Unset, the suite runs on the real clock."""
    start = os.environ.get("STOREFRONT_TEST_CLOCK")
    if not start:
        yield
        return
    with time_machine.travel(datetime.fromisoformat(start), tick=True):
        yield


@pytest.fixture(scope="session", autouse=True)
def compile_templates_once():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Flask, "jinja_options", {**Flask.jinja_options, "bytecode_cache": CompiledTemplates()})
        yield


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """Hash passwords with one round in tests: scrypt costs a third of a second per login."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(models, "generate_password_hash", partial(generate_password_hash, method=TEST_PASSWORD_HASH))
        yield


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, cheap_password_hashing) -> SQLiteTemplate:
    return SQLiteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_database(tmp_path_factory, cheap_password_hashing) -> PostgresDatabase:
    database = PostgresDatabase(TEST_DATABASE_URL, tmp_path_factory.mktemp("postgres-instance"))
    yield database
    database.engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """Each database test runs on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.

    The database is migrated and holds only the admin account.
    """
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_database").fresh()
    return request.getfixturevalue("sqlite_template").fresh(tmp_path)


@pytest.fixture(params=DATABASES)
def empty_database_url(request, tmp_path):
    """A database with no tables at all (PostgreSQL: a schema of its own, dropped afterwards)."""
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "empty.sqlite")
        return
    schema = "empty_" + uuid.uuid4().hex[:12]
    engine = sa.create_engine(TEST_DATABASE_URL, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    yield sa.make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


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
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(tmp_path, database_url):
    """More app instances on the test's database, each with an instance folder of its own: other machines."""
    made = []

    def make(instance: str, **config) -> Flask:
        other = create_app(
            {
                "TESTING": True,
                "INSTANCE_PATH": str(tmp_path / instance),
                "SECRET_KEY": "test-secret-key",
                "SQLALCHEMY_DATABASE_URI": database_url,
                "PUBLIC_BASE_URL": "",
                "SHOP_NAME": "테스트상점",
                **config,
            }
        )
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app_process(tmp_path, database_url):
    """Start the shop in a process of its own, configured only by its environment as in production
    (``STOREFRONT_*`` settings given as keyword arguments, plus ``extra_env``); its base URL."""
    started = []

    def start(instance: str, extra_env: dict | None = None, **settings) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("STOREFRONT_", "DATABASE_URL"))}
        env.update(extra_env or {})
        env.update({f"STOREFRONT_{name}": str(value) for name, value in settings.items()})
        env.update(
            PYTHONPATH=str(ROOT),
            DATABASE_URL=database_url,
            STOREFRONT_INSTANCE_PATH=str(tmp_path / instance),
            STOREFRONT_SECRET_KEY="test-secret-key",
        )
        process = subprocess.Popen(
            [sys.executable, "-c", SERVE_ON_A_FREE_PORT], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        started.append(process)
        port = process.stdout.readline().strip()
        assert port, process.communicate(timeout=30)[1].decode()
        return f"http://127.0.0.1:{int(port)}"

    yield start
    for process in started:
        process.terminate()
        process.communicate(timeout=30)


SERVE_ON_A_FREE_PORT = """
from werkzeug.serving import make_server
from storefront import create_app
server = make_server("127.0.0.1", 0, create_app(), threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


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

    def refund_form(self, order_id) -> dict:
        """The hidden fields of the order's 환불하기 form, as the page gives them."""
        page = self._client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
        return {"refunded_seen": re.search(r'name="refunded_seen" type="hidden" value="(\d+)"', page).group(1)}

    def refund(self, order_id, form=None, follow_redirects=False, **fields):
        """Send the order's 환불하기 form (opened now, or ``form`` opened earlier) with ``fields``."""
        data = {**(form or self.refund_form(order_id)), **fields}
        return self.post(f"/admin/orders/{order_id}/refund", data=data, follow_redirects=follow_redirects)


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
def outbox(app, monkeypatch) -> list:
    """E-mail the shop sends lands in this list instead of an SMTP server; the merchant has set an
    address for order notifications."""
    import smtplib

    from storefront.settings import save_settings

    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            pass

        def login(self, user, password):
            pass

        def send_message(self, message):
            sent.append(message)

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example.com", MAIL_FROM="shop@example.com")
    with app.test_request_context():
        save_settings({"notify_email": "owner@example.com"})
        db.session.commit()
    return sent


@pytest.fixture
def bank_ready(app):
    """The merchant has set the account for bank transfers."""
    ready_for_bank_transfers(app)


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


def checkout_form(html: str) -> dict:
    """The form a buyer sends from this checkout page: their details, the page's tokens, and the 합계 it shows."""
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', html).group(1)
    total = re.search(r'name="expected_total" type="hidden" value="(\d+)"', html).group(1)
    return {**BUYER_FORM, "csrf_token": csrf_from(html), "nonce": nonce, "expected_total": total}


def open_checkout(client, token) -> dict:
    """GET the checkout page with a test client; the form a buyer would send from it."""
    return checkout_form(client.get(f"/products/{token}/buy").get_data(as_text=True))


def filled_checkout(browser, url) -> dict:
    """Open the checkout over HTTP (a requests.Session) and return the form a buyer would send."""
    return checkout_form(browser.get(url, timeout=30).text)


def place(client, token, **overrides):
    """Fill in and send the checkout form like a customer: the 합계 sent is the one the page's script
    shows for the quantity and postcode typed (``expected_total`` in ``overrides`` wins)."""
    data = {**open_checkout(client, token), **overrides}
    if "expected_total" not in overrides:
        typed = {"quantity": data["quantity"], "postcode": data["postcode"]}
        shown = client.get(f"/products/{token}/shipping-fee", query_string=typed)
        if shown.status_code == 200:
            data["expected_total"] = str(shown.json["total"])
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


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 API server (moto's) on 127.0.0.1, for the whole session: the shop talks to it over HTTP
    through boto3, as it would to AWS, R2 or MinIO."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, monkeypatch) -> Bucket:
    """An empty bucket of its own on the S3 server, with the access keys in the environment (as in production)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-access-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret-key")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    made = Bucket(s3_server, "pictures-" + uuid.uuid4().hex[:12])
    made.client.create_bucket(Bucket=made.name, CreateBucketConfiguration={"LocationConstraint": Bucket.REGION})
    return made


@pytest.fixture
def toss(app):
    fake = FakeToss(SECRET)
    server = LiveServer(fake.app)
    server.start()
    app.config.update(TOSS_CLIENT_KEY=CLIENT, TOSS_SECRET_KEY=SECRET, TOSS_API_BASE=server.url, TOSS_TIMEOUT=2)
    yield fake
    server.stop()


@pytest.fixture
def card_order(app, client, toss, make_product):
    """A buyer chose 카드 결제 for a stock-2 product; the payment window is open."""
    product_id, token = make_product(name="카드 상품", price=45000, stock_managed=True, stock_quantity=2)
    response = place(client, token, payment_method="card")
    assert response.status_code == 302
    order_url = response.headers["Location"]
    order_no, secret = re.match(r"/orders/([^?]+)\?t=(.+)", order_url).groups()
    return {"url": order_url, "order_no": order_no, "t": secret, "product_id": product_id}


def settle_messages(timeout: float = 15.0) -> None:
    """Wait until the background senders of buyers' messages are done."""
    for thread in threading.enumerate():
        if thread.name == "buyer-messages":
            thread.join(timeout=timeout)


@pytest.fixture
def solapi(app):
    """A local SOLAPI that knows the shop's keys and its registered 발신번호; the shop points at it."""
    fake = FakeSolapi(SOLAPI_KEY, SOLAPI_SECRET)
    fake.senders.add(SENDER)
    server = LiveServer(fake.app)
    server.start()
    app.config.update(
        SOLAPI_API_KEY=SOLAPI_KEY,
        SOLAPI_API_SECRET=SOLAPI_SECRET,
        SOLAPI_API_BASE=server.url,
        SOLAPI_TIMEOUT=1,
        SOLAPI_WEBHOOK_SECRET=SOLAPI_WEBHOOK_SECRET,
    )
    yield fake
    fake.release.set()
    settle_messages()  # the senders end before the app's database goes
    server.stop()


@pytest.fixture
def messages_on(app, solapi):
    """The merchant turned 알림 설정 on with the registered 발신번호 (no 알림톡 templates: SMS/LMS)."""
    from storefront.messaging import settings

    with app.test_request_context():
        settings.save(True, SENDER, "", {})
        db.session.commit()
    return solapi


@pytest.fixture
def alimtalk_on(app, messages_on):
    """Every message's 알림톡 template registered with Kakao as the shop ships it, and its 템플릿 ID saved."""
    from storefront.messaging import settings, templates

    with app.test_request_context():
        switches = {}
        for template in templates.ORDER_TEMPLATES:
            messages_on.register_template(PF_ID, template_id(template), templates.body(template))
            switches[template] = settings.TemplateSwitch(True, template_id(template))
        settings.save(True, SENDER, PF_ID, switches)
        db.session.commit()
    return messages_on
