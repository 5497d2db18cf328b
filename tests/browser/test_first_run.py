"""A truly fresh shop in a real browser: first-run setup, the 시작하기 checklist, and the banner that
says customers cannot pay until a payment method is set — at desktop and phone sizes."""

import logging
import re

import pytest
from playwright.sync_api import expect

from storefront.extensions import db
from storefront.settings import save_settings

from .conftest import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.browser
BANNER = "아직 고객이 결제할 수 없습니다."


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_fresh_shop_to_a_link_a_customer_can_pay(browser, fresh_live_server, shots, caplog, viewport):
    caplog.set_level(logging.WARNING)
    base = fresh_live_server.url
    page = browser.new_page(viewport=viewport)

    # First run: /admin/ has no open setup page, only the way to the link printed on the console.
    page.goto(base + "/admin/")
    expect(page.get_by_role("heading", name="관리자 계정 만들기")).to_be_visible()
    expect(page.get_by_label("비밀번호", exact=True)).to_have_count(0)
    shots(page, "setup-without-code")
    # Without PUBLIC_BASE_URL the console shows the path only (never a host taken from a request).
    [link] = re.findall(r"\S*/admin/setup\?code=\S+", caplog.text)
    page.goto(link if link.startswith("http") else base + link)
    page.get_by_label("이메일").fill("owner@shop.kr")
    page.get_by_label("비밀번호", exact=True).fill("a-long-password")
    page.get_by_label("비밀번호 확인").fill("a-long-password")
    shots(page, "setup-form")
    page.get_by_role("button", name="관리자 계정 만들기").click()

    # 관리자 홈: nothing is done yet, and every page says customers cannot pay.
    expect(page.get_by_role("heading", name="관리자 홈")).to_be_visible()
    expect(page.get_by_text(BANNER)).to_be_visible()
    checklist = page.locator(".checklist li")
    expect(checklist).to_have_count(4)
    expect(page.locator(".checklist .step-done")).to_have_count(0)
    shots(page, "home-fresh")

    # 결제 수단 → 상점 설정: the bank account (and the shop's contact).
    page.get_by_role("link", name="결제 수단 (입금 계좌 또는 카드)").click()
    expect(page.get_by_role("heading", name="상점 설정")).to_be_visible()
    expect(page.get_by_text(BANNER)).to_be_visible()
    page.get_by_label("상점명").fill("규섭커피")
    page.get_by_label("문의 전화번호").fill("02-1234-5678")
    page.get_by_label("문의 이메일").fill("help@example.com")
    page.get_by_label("은행").fill("국민은행")
    page.get_by_label("계좌번호").fill("123456-01-234567")
    page.get_by_label("예금주").fill("규섭커피")
    page.get_by_role("button", name="저장하기").click()
    expect(page.get_by_text("설정을 저장했습니다.")).to_be_visible()
    expect(page.get_by_text(BANNER)).to_have_count(0)
    shots(page, "settings-saved")

    # 사업자 정보: what the law asks every online shop to show (and, with bank transfers, 구매안전서비스).
    page.goto(base + "/admin/")
    expect(page.locator(".checklist .step-done")).to_have_count(2)
    page.get_by_role("link", name="사업자 정보").click()
    page.get_by_label("상호").fill("규섭커피")
    page.get_by_label("대표자").fill("김규섭")
    page.get_by_label("사업자등록번호").fill("120-81-47521")
    page.get_by_label("통신판매업 신고번호").fill("제2024-서울강남-01234호")
    page.get_by_label("사업장 주소").fill("서울특별시 강남구 테헤란로 123, 4층")
    page.get_by_label("개인정보보호책임자").fill("김규섭 (대표)")
    page.get_by_label("호스팅 제공자").fill("아마존웹서비시즈코리아 유한회사")
    page.get_by_label("구매안전서비스 제공자").fill("KB국민은행 에스크로")
    page.get_by_label("서비스 가입사실 확인 링크").fill("https://okbfex.kbstar.com/quics?page=C021590")
    page.get_by_role("button", name="저장하기").click()
    expect(page.get_by_text("설정을 저장했습니다.")).to_be_visible()

    # Back home: three steps done, the personal payment window left.
    page.goto(base + "/admin/")
    expect(page.locator(".checklist .step-done")).to_have_count(3)
    expect(page.get_by_text(BANNER)).to_have_count(0)
    page.get_by_role("link", name="첫 개인결제창").click()
    page.get_by_role("button", name="개인결제창 설정").click()
    page.get_by_label("상품명").fill("김규섭 고객님 개인결제창")
    page.get_by_label("판매가").fill("128000")
    page.get_by_label("재고 수량").fill("1")
    page.get_by_role("button", name="등록하기").click()
    expect(page.get_by_text("상품을 등록했습니다.")).to_be_visible()
    url = page.get_by_label("상품 URL").input_value()
    page.goto(base + "/admin/")
    expect(page.locator(".checklist .step-done")).to_have_count(4)
    expect(page.get_by_text("상점 준비가 끝났습니다")).to_be_visible()
    shots(page, "home-ready")

    # The customer can pay the link.
    page.goto(url)
    expect(page.get_by_role("link", name="구매하기")).to_be_visible()
    page.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_link_sent_before_the_bank_account_shows_the_contact(browser, live_server, shots, viewport):
    """The customer's side of the banner: no form that cannot be sent, the shop's contact instead."""
    with live_server.app.test_request_context():
        save_settings({"bank_name": "", "bank_account": "", "bank_holder": ""})
        db.session.commit()
    page = browser.new_page(viewport=viewport)
    log_in(page, live_server.url)
    expect(page.get_by_text(BANNER)).to_be_visible()
    page.goto(live_server.url + "/admin/products/new")
    page.get_by_label("상품명").fill("김규섭 고객님 개인결제창")
    page.get_by_label("판매가").fill("128000")
    page.get_by_role("button", name="등록하기").click()
    panel = page.locator(".share-panel")
    expect(panel.get_by_text("아직 이 링크로 결제할 수 없습니다.")).to_be_visible()
    shots(page, "share-panel-not-payable", full_page=False)
    url = page.get_by_label("상품 URL").input_value()
    page.goto(live_server.url + "/admin/products")
    row = page.get_by_role("row").filter(has_text="김규섭 고객님 개인결제창")
    row.get_by_text("더보기").click()
    expect(row.get_by_text("아직 이 링크로 결제할 수 없습니다.")).to_be_visible()
    shots(page, "more-menu-not-payable", full_page=False)
    page.goto(url)
    expect(page.get_by_text("이 상점은 아직 결제를 받지 않습니다.")).to_be_visible()
    expect(page.get_by_role("link", name="구매하기")).to_have_count(0)
    expect(page.get_by_role("link", name="전화 02-1234-5678")).to_be_visible()
    shots(page, "customer-not-taking-payments")
    page.close()
