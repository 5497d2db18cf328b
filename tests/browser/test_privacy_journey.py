"""Guarding buyers' data, as the owner and a staff member use it: masked lists, an order opened and the
list downloaded with a 다운로드 사유 by staff, and both read back by the owner under 접속기록 and 점검."""

import csv
import io

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from storefront import auth, catalog
from storefront.extensions import db
from storefront.models import AdminUser, Order

from ..conftest import place
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
        db.session.commit()
        token = window.public_token
    buyer = app.test_client()
    place(buyer, token)
    place(buyer, token, buyer_name="남궁민수", buyer_phone="010-9876-4321", recipient_name="남궁민수",
          depositor_name="남궁민수")  # fmt: skip
    with app.app_context():
        return list(db.session.scalars(sa.select(Order.order_no).order_by(Order.id)))


def test_staff_views_and_downloads_and_the_owner_reads_it_in_the_access_records(live_server, browser, shots):
    order_numbers = _shop_with_orders(live_server)
    base = live_server.url

    staff = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = staff.new_page()
    page.goto(base + "/admin/login")
    page.get_by_label("이메일").fill(STAFF_EMAIL)
    page.get_by_label("비밀번호").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="로그인").click()
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
    staff.close()

    owner = browser.new_context(viewport=DESKTOP)
    page = owner.new_page()
    log_in(page, base)
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
