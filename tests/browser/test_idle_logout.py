"""Idle logout in the browser: a warning a minute before, 계속 사용 keeps the login, and the end shows the login page.

The page's clock is Playwright's (page.clock); the server's sense of time is the login's last use, moved back
as the minutes pass, so both sides agree without waiting five real minutes.
"""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.models import AdminLogin
from storefront.settings import settings_row

from .conftest import DESKTOP, KAKAOTALK_UA, PHONE, log_in

WARNING = "1분 후 자동 로그아웃됩니다"


def serious_axe_problems(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def shortest_idle_limit(live_server):
    """The shop logs out after 5 idle minutes, the least 상점 설정 allows."""
    with live_server.app.test_request_context():
        row = settings_row()
        row.idle_logout_minutes = 5
        db.session.add(row)
        db.session.commit()


def last_used(live_server, ago: timedelta) -> None:
    """The server last saw this login ``ago`` (as if that much time had passed since)."""
    with live_server.app.app_context():
        db.session.execute(sa.update(AdminLogin).values(last_seen_at=utcnow() - ago))
        db.session.commit()


def end_reason(live_server) -> str:
    with live_server.app.app_context():
        return db.session.scalar(sa.select(AdminLogin.end_reason))


def test_idle_warning_keep_using_and_logout(browser, live_server, shortest_idle_limit, shots):
    context = browser.new_context(viewport=PHONE, locale="ko-KR")
    page = context.new_page()
    page.clock.install()
    log_in(page, live_server.url)
    page.goto(live_server.url + "/admin/orders")
    dialog = page.locator("dialog.idle-dialog")
    assert dialog.get_attribute("data-seconds-left") in ("299", "300")

    # Another tab was used meanwhile: when the warning falls due, the server says so and none shows.
    last_used(live_server, timedelta(seconds=5))
    page.clock.run_for("04:01")
    expect(dialog).to_have_attribute("data-seconds-left", re.compile(r"^29[0-6]$"))  # the server's fresh answer
    assert not dialog.is_visible()

    # Four minutes without use: the warning, then 계속 사용 keeps the login.
    last_used(live_server, timedelta(minutes=4, seconds=10))
    page.clock.run_for("04:01")
    dialog.get_by_text(WARNING).wait_for()
    assert serious_axe_problems(page) == []
    shots(page, "idle-warning", full_page=False)
    dialog.get_by_role("button", name="계속 사용").click()
    dialog.wait_for(state="hidden")
    with live_server.app.app_context():
        seen = db.session.scalar(sa.select(AdminLogin.last_seen_at))
    assert utcnow() - seen < timedelta(seconds=30)

    # Left alone again: the warning, then the login page once the minute has run out.
    last_used(live_server, timedelta(minutes=4, seconds=10))
    page.clock.run_for("04:01")
    dialog.get_by_text(WARNING).wait_for()
    last_used(live_server, timedelta(minutes=5, seconds=10))
    page.clock.run_for("01:00")
    page.wait_for_url("**/admin/login?next=/admin/orders")
    assert "오래 사용하지 않아 로그아웃되었습니다" in page.locator("main").inner_text()
    shots(page, "logged-out")
    assert end_reason(live_server) == "idle"
    context.close()


def test_login_history_on_a_phone_and_logging_out_the_other_device(browser, live_server, shots):
    desktop = browser.new_context(viewport=DESKTOP, locale="ko-KR")
    other = desktop.new_page()
    log_in(other, live_server.url)
    phone = browser.new_context(viewport=PHONE, locale="ko-KR", user_agent=KAKAOTALK_UA, is_mobile=True)
    page = phone.new_page()
    log_in(page, live_server.url)
    page.goto(live_server.url + "/admin/logins")
    entries = page.locator(".login-entry")
    assert entries.count() == 2
    assert "KakaoTalk 인앱 · Android" in entries.nth(0).inner_text()
    assert "현재 기기" in entries.nth(0).inner_text()
    assert "현재 기기" not in entries.nth(1).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_axe_problems(page) == []
    shots(page, "login-history")
    page.get_by_role("button", name="다른 기기 로그아웃").click()
    page.get_by_text("다른 기기의 로그인 1건을 로그아웃했습니다").wait_for()
    assert "다른 기기에서 로그아웃" in entries.nth(1).inner_text()
    shots(page, "other-device-logged-out")
    other.goto(live_server.url + "/admin/orders")
    assert "/admin/login" in other.url
    phone.close()
    desktop.close()
