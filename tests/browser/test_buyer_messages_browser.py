"""The merchant turns 알림 설정 on from a phone; a buyer orders at 390 px and gets one 주문 접수 message with
the account number and the link back to the order."""

import re

import pytest
from playwright.sync_api import expect

from ..builders import SENDER, SOLAPI_KEY, SOLAPI_SECRET
from ..conftest import LiveServer, settle_messages
from ..fake_solapi import FakeSolapi
from .conftest import KAKAOTALK_UA, PHONE, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def solapi_for(live_server):
    fake = FakeSolapi(SOLAPI_KEY, SOLAPI_SECRET)
    fake.senders.add(SENDER)
    server = LiveServer(fake.app)
    server.start()
    live_server.app.config.update(
        SOLAPI_API_KEY=SOLAPI_KEY,
        SOLAPI_API_SECRET=SOLAPI_SECRET,
        SOLAPI_API_BASE=server.url,
        SOLAPI_TIMEOUT=2,
        PUBLIC_BASE_URL=live_server.url,  # the links in messages point at this server
    )
    yield fake
    fake.release.set()
    settle_messages()
    server.stop()


def test_a_buyer_on_a_phone_gets_one_order_message_with_the_account_and_the_order_link(
    browser, live_server, solapi_for, shots
):
    # The merchant, on their phone: 알림 설정, 발신번호, on.
    merchant = browser.new_page(viewport=PHONE)
    log_in(merchant, live_server.url)
    merchant.goto(live_server.url + "/admin/settings/messages")
    expect(merchant.get_by_text("SOLAPI에 사전 등록한 발신번호")).to_be_visible()
    merchant.get_by_label("발신번호").fill("02-1234-5678")
    merchant.get_by_label("구매자에게 알림 보내기").check()
    merchant.get_by_role("button", name="저장하기").first.click()
    expect(merchant.get_by_text("알림 설정을 저장했습니다.")).to_be_visible()
    expect(merchant.get_by_role("heading", name=re.compile("지금 발송"))).to_contain_text("발송 중")
    shots(merchant, "message-settings-on")

    # A window for the buyer, made from 빠른 개인결제창.
    merchant.goto(live_server.url + "/admin/products/quick")
    merchant.get_by_label("상품명").fill("원두 정기배송 3개월")
    merchant.get_by_label("판매가").fill("36000")
    merchant.get_by_role("button", name="만들고 링크 보내기").click()
    url = merchant.get_by_label("상품 URL").input_value()

    # The buyer, in KakaoTalk's browser at 390 px.
    context = browser.new_context(viewport=PHONE, user_agent=KAKAOTALK_UA, is_mobile=True, has_touch=True)
    buyer = context.new_page()
    buyer.goto(url)
    buyer.get_by_role("link", name="구매하기").click()
    buyer.get_by_label("이름", exact=True).fill("김규섭")
    buyer.get_by_label("휴대폰 번호", exact=True).press_sequentially("01012345678")
    buyer.get_by_label("주문자 정보와 동일").check()
    for label, value in (("우편번호", "06236"), ("상세주소", "4층")):
        buyer.get_by_label(label).fill(value)
    buyer.get_by_label("주소", exact=True).fill("서울특별시 강남구 테헤란로 123")
    buyer.get_by_label("[필수] 개인정보 수집·이용 동의").check()
    buyer.get_by_label("[필수] 구매조건 확인 및 결제 진행 동의").check()
    buyer.get_by_role("button", name="결제하기").click()
    expect(buyer.get_by_role("heading", name="주문 완료")).to_be_visible()
    expect(buyer.get_by_text("휴대폰 번호로(카카오 알림톡 또는 문자) 보내 드립니다")).to_be_visible()
    shots(buyer, "order-placed")

    (message,) = solapi_for.wait_for(1)
    settle_messages()
    assert len(solapi_for.taken) == 1  # one 주문 접수, once
    assert message["to"] == "01012345678" and message["from"] == SENDER
    assert "123456-01-234567" in message["text"] and "36,000원" in message["text"]
    link = re.search(r"주문 확인: (\S+)", message["text"]).group(1)
    assert link == buyer.url  # the buyer's own order page

    # The link from the message opens the order on a phone that never saw it (KakaoTalk closed).
    later = browser.new_context(viewport=PHONE, user_agent=KAKAOTALK_UA, is_mobile=True).new_page()
    later.goto(link)
    expect(later.get_by_role("heading", name="주문 완료")).to_be_visible()
    expect(later.locator("#account-number")).to_have_text("123456-01-234567")

    # The merchant sees it under 발송 내역.
    order_no = re.search(r"/orders/([^?]+)", link).group(1)
    merchant.goto(live_server.url + "/admin/orders")
    merchant.get_by_role("link", name=order_no).click()
    messages = merchant.locator("#messages")
    expect(messages).to_contain_text("주문 접수 (무통장입금)")
    expect(messages).to_contain_text("발송됨")
    shots(merchant, "order-messages")
    context.close()
    later.context.close()
    merchant.close()


def test_the_merchant_texts_a_windows_link_to_its_customer_from_a_phone(browser, live_server, solapi_for, shots):
    from storefront import catalog
    from storefront.extensions import db
    from storefront.messaging import settings

    with live_server.app.test_request_context():
        settings.save(True, SENDER, "", {})
        window = catalog.create_product(
            catalog.ProductData(
                name="김규섭 고객님 개인결제창",
                price=128000,
                listed=False,
                customer_name="김규섭",
                customer_phone="01012345678",
            )  # fmt: skip
        )
        db.session.commit()
        window_id, token = window.id, window.public_token
    merchant = browser.new_page(viewport=PHONE)
    log_in(merchant, live_server.url)
    merchant.goto(f"{live_server.url}/admin/products/{window_id}/edit#send-link")
    panel = merchant.locator("#send-text")
    expect(panel).to_contain_text("010-1234-5678")
    message = panel.get_by_label("메시지")
    expect(message).not_to_have_value(re.compile("김규섭"))  # the suggested text does not name the customer
    expect(message).to_have_value(re.compile(f"/products/{token}"))
    shots(merchant, "send-text", full_page=False)
    panel.get_by_role("button", name="문자로 보내기").click()
    expect(merchant.get_by_text("010-1234-5678(으)로 링크를 문자로 보내고 있습니다.")).to_be_visible()
    (sent,) = solapi_for.wait_for(1)
    settle_messages()
    assert sent["to"] == "01012345678" and f"/products/{token}" in sent["text"] and "김규섭" not in sent["text"]
    merchant.reload()
    expect(merchant.locator("#send-text")).to_contain_text("발송됨")
    assert merchant.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    merchant.close()
