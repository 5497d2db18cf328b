"""A real server on a free port and Debian's Chromium driven by Playwright."""

import os
import shutil
from pathlib import Path

import pytest

from storefront import create_app
from storefront.extensions import db
from storefront.settings import save_settings

from ..conftest import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
KAKAOTALK_UA = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918N Build/UP1A.231005.007; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.230 Mobile Safari/537.36;KAKAOTALK 2410410"
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def live_server(tmp_path, sqlite_template):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "browser-test-key",
            "SQLALCHEMY_DATABASE_URI": sqlite_template.fresh(tmp_path),
            "SHOP_NAME": "규섭커피",
            "SHOP_PHONE": "02-1234-5678",
            "SHOP_EMAIL": "help@example.com",
        }
    )
    with app.test_request_context():
        save_settings(
            {
                "name": "규섭커피",
                "phone": "02-1234-5678",
                "email": "help@example.com",
                "bank_name": "국민은행",
                "bank_account": "123456-01-234567",
                "bank_holder": "규섭커피",
            }
        )
        db.session.commit()
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def fresh_live_server(tmp_path):
    """A shop as the README's command leaves it: migrated, no admin account, no settings saved."""
    from flask_migrate import upgrade

    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "browser-test-key",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "instance" / "shop.sqlite"),
        }
    )
    with app.app_context():
        upgrade()
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class Shots:
    """Saves numbered screenshots of a test's steps under test-artifacts/<test name>/."""

    def __init__(self, name: str):
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    def __call__(self, page, label: str, full_page: bool = True):
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{label}.png"), full_page=full_page)


@pytest.fixture
def shots(request):
    return Shots(request.node.name.replace("[", "-").replace("]", ""))


def log_in(page, base_url):
    page.goto(base_url + "/admin/login")
    page.get_by_label("이메일").fill(ADMIN_EMAIL)
    page.get_by_label("비밀번호").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="로그인").click()
