"""Issue 28's journey: the owner turns on 2단계 인증 and logs back in with a code (a used one is refused);
a staff member sees masked buyers, opens an order and downloads the list with a 다운로드 사유; the owner
reads both under 접속기록 with the IP and the order numbers and records the month's 점검; an idle login
of the staff member is logged out."""

import csv
import io
import time
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from storefront import auth, catalog
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.models import AdminLogin, AdminUser, Order
from storefront.settings import settings_row

from ..conftest import ADMIN_EMAIL, ADMIN_PASSWORD, place
from .conftest import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.browser

STAFF_EMAIL = "staff@example.com"
STAFF_PASSWORD = "Shop-helper-42"


def _shop_with_orders(server) -> list[str]:
    app = server.app
    with app.test_request_context():
        window = catalog.create_product(catalog.ProductData(name="고객님 맞춤 원두 2kg", price=56000, listed=False))
        owner = db.session.scalar(sa.select(AdminUser))
        auth.add_staff(STAFF_EMAIL, STAFF_PASSWORD, owner)
        row = settings_row()
        row.idle_logout_minutes = 5  # the least the owner can set
        db.session.commit()
        token = window.public_token
    buyer = app.test_client()
    place(buyer, token)
    place(buyer, token, buyer_name="남궁민수", buyer_phone="010-9876-4321", recipient_name="남궁민수",
          depositor_name="남궁민수")  # fmt: skip
    with app.app_context():
        return list(db.session.scalars(sa.select(Order.order_no).order_by(Order.id)))


def _code(secret: str, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time(), counter_offset=steps)


def _password_step(page, base, email=ADMIN_EMAIL, password=ADMIN_PASSWORD):
    page.goto(base + "/admin/login")
    page.get_by_label("이메일").fill(email)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").click()


def _staff_last_used(server, ago: timedelta) -> None:
    """The server last saw the staff member's login ``ago`` (as if that much time had passed since)."""
    with server.app.app_context():
        staff_id = sa.select(AdminUser.id).where(AdminUser.email == STAFF_EMAIL).scalar_subquery()
        db.session.execute(
            sa.update(AdminLogin).where(AdminLogin.user_id == staff_id).values(last_seen_at=utcnow() - ago)
        )
        db.session.commit()


def _owner_turns_on_two_factor(page, base) -> tuple[str, str]:
    """The secret and one 복구 코드, as the owner would keep them."""
    log_in(page, base)
    page.get_by_role("link", name="2단계 인증", exact=True).click()
    secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    page.get_by_label("인증 코드").fill(_code(secret))
    page.get_by_role("button", name="2단계 인증 켜기").click()
    codes = page.get_by_role("list", name="복구 코드").get_by_role("listitem")
    expect(codes).to_have_count(10)
    recovery = codes.first.inner_text().strip()
    page.get_by_role("link", name="보관했습니다").click()

    page.get_by_role("button", name="로그아웃").click()
    _password_step(page, base)
    next_code = _code(secret, 1)  # the app a little ahead: the step after the one enrolment used
    assert page.locator(".login-box").bounding_box()["width"] >= 400  # centred, not in the menu's column
    page.get_by_label("인증 코드").fill(next_code)
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("heading", name="관리자 홈")).to_be_visible()
    page.get_by_role("button", name="로그아웃").click()
    _password_step(page, base)
    page.get_by_label("인증 코드").fill(next_code)
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("alert")).to_contain_text("이미 사용되었습니다")
    return secret, recovery


def test_two_factor_access_records_masking_and_idle_logout(live_server, browser, shots):
    order_numbers = _shop_with_orders(live_server)
    base = live_server.url
    owner = browser.new_context(viewport=DESKTOP, locale="ko-KR")
    owner_page = owner.new_page()
    _, recovery_code = _owner_turns_on_two_factor(owner_page, base)

    staff = browser.new_context(viewport=PHONE, locale="ko-KR", accept_downloads=True)
    page = staff.new_page()
    page.clock.install()
    _password_step(page, base, STAFF_EMAIL, STAFF_PASSWORD)
    page.goto(base + "/admin/orders")
    cards = page.locator(".order-card")
    expect(cards).to_have_count(2)
    expect(page.locator(".buyer-cell").first).to_contain_text("남**수")
    expect(page.locator(".buyer-cell").first).to_contain_text("010-****-4321")
    expect(page.locator(".buyer-cell").last).to_contain_text("김*섭")
    expect(page.locator(".buyer-cell").last).to_contain_text("서울특별시 강남구 테헤란로 ***")
    assert "김규섭" not in page.locator(".order-table").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shots(page, "orders-masked-390")

    page.get_by_role("link", name=order_numbers[0]).click()
    expect(page.get_by_text("010-1234-5678").first).to_be_visible()  # the order's own page: everything

    page.goto(base + "/admin/orders")
    page.get_by_text("목록 내려받기 (CSV, 엑셀)").click()
    page.get_by_role("button", name="CSV 내려받기").click()
    expect(page.get_by_text("무엇에 쓸 파일인지 고르세요.")).to_be_visible()  # no reason: no file
    page.get_by_label("배송 (받는 분, 연락처, 주소, 상품)").check()
    page.get_by_label("상세 사유").fill("오늘 택배 접수")
    shots(page, "export-reason-390")
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV 내려받기").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert "주소" in rows[0] and "이메일" not in rows[0] and len(rows) == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The staff member leaves the phone: a warning a minute before, then the login page.
    _staff_last_used(live_server, timedelta(minutes=4, seconds=10))
    page.clock.run_for("04:01")
    page.get_by_text("1분 후 자동 로그아웃됩니다").wait_for()
    _staff_last_used(live_server, timedelta(minutes=5, seconds=10))
    page.clock.run_for("01:00")
    page.wait_for_url("**/admin/login**")
    expect(page.locator("main")).to_contain_text("오래 사용하지 않아 로그아웃되었습니다")
    shots(page, "staff-idle-logged-out-390")
    staff.close()

    # The owner, whose last code was used, comes back with a 복구 코드.
    page = owner_page
    page.get_by_text("복구 코드로 로그인").click()
    page.get_by_label("복구 코드").fill(recovery_code)
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("heading", name="관리자 홈")).to_be_visible()
    page.get_by_role("link", name="접속기록").click()
    table = page.locator(".access-table")
    expect(table).to_contain_text(STAFF_EMAIL)
    expect(table).to_contain_text("127.0.0.1")
    expect(table.locator("tbody tr", has_text="다운로드")).to_contain_text("오늘 택배 접수")
    expect(table.locator("tbody tr", has_text="주문 상세")).to_contain_text(order_numbers[0])
    for number in order_numbers:
        expect(table.locator("tbody tr", has_text="다운로드")).to_contain_text(number)
    shots(page, "access-records-desktop")
    page.get_by_label("계정").select_option(STAFF_EMAIL)
    page.get_by_label("수행업무").select_option(label="다운로드")
    page.get_by_role("button", name="검색").click()
    expect(table.locator("tbody tr")).to_have_count(1)

    page.get_by_role("link", name="점검").first.click()
    expect(page.get_by_role("heading", name="다운로드와 사유")).to_be_visible()
    expect(page.locator(".history")).to_contain_text("오늘 택배 접수")
    page.get_by_label("점검 결과").fill("이상 없음: 배송 목록 1건 확인")
    page.get_by_role("button", name="이 달 점검 완료 기록").click()
    expect(page.get_by_text("이상 없음: 배송 목록 1건 확인")).to_be_visible()
    shots(page, "monthly-check-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shots(page, "monthly-check-390")
    page.goto(base + "/admin/access-log")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shots(page, "access-records-390")
    owner.close()
