"""The owner turns on 2단계 인증 with an authenticator app (pyotp here, from the secret the page shows),
logs back in with a 인증 코드, and a code already used is refused."""

import time

import pyotp
import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.browser


def code(secret: str, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time(), counter_offset=steps)


def test_owner_turns_on_two_factor_and_logs_in_with_a_code(browser, live_server, shots):
    context = browser.new_context(viewport=DESKTOP, locale="ko-KR")
    page = context.new_page()
    log_in(page, live_server.url)
    page.get_by_role("link", name="2단계 인증", exact=True).click()
    expect(page.get_by_role("heading", name="2단계 인증")).to_be_visible()
    expect(page.get_by_role("img", name="인증 앱에 등록할 QR 코드")).to_be_visible()
    secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    assert len(secret) == 32
    page.set_viewport_size(PHONE)
    shots(page, "enrolment-phone")
    page.set_viewport_size(DESKTOP)

    page.get_by_label("인증 코드").fill(code(secret))
    page.get_by_role("button", name="2단계 인증 켜기").click()
    codes = page.get_by_role("list", name="복구 코드").get_by_role("listitem")
    expect(codes).to_have_count(10)
    shots(page, "recovery-codes")
    page.get_by_role("link", name="보관했습니다").click()
    expect(page.get_by_text("남은 복구 코드: 10개 중 10개")).to_be_visible()

    page.get_by_role("button", name="로그아웃").click()
    log_in(page, live_server.url)
    # The password alone is not enough: the 인증 코드 step.
    expect(page.get_by_label("인증 코드")).to_have_attribute("inputmode", "numeric")
    page.set_viewport_size(PHONE)
    shots(page, "login-code-phone")
    page.set_viewport_size(DESKTOP)
    next_code = code(secret, 1)  # the app a little ahead: the step after the one enrolment used
    page.get_by_label("인증 코드").fill(next_code)
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("heading", name="관리자 홈")).to_be_visible()

    page.get_by_role("button", name="로그아웃").click()
    log_in(page, live_server.url)
    page.get_by_label("인증 코드").fill(next_code)
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("alert")).to_contain_text("이미 사용되었습니다")
    shots(page, "reused-code-refused")
    page.goto(live_server.url + "/admin/products")
    expect(page).to_have_url(live_server.url + "/admin/login?next=/admin/products")
    context.close()
