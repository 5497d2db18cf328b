"""알림 설정, 테스트 발송, 발송 내역 on the order page, 문자로 보내기 from 링크 보내기, and what the buyer is told
their phone is used for."""

import re

import pytest
import sqlalchemy as sa

from storefront.extensions import db
from storefront.messaging import settings
from storefront.models import BuyerMessage, MessageStatus, MessageTemplate, PolicyKind

from .builders import PF_ID, SENDER, order_row, template_id
from .conftest import csrf_from, place, settle_messages

T = MessageTemplate
FORM = {"enabled": "y", "sender_number": "02-1234-5678", "kakao_pf_id": ""}


def saved(app) -> settings.MessagingInfo:
    with app.test_request_context():
        return settings.current()


# -- 알림 설정 -----------------------------------------------------------------------------------------


def test_the_page_is_in_the_shop_menu_and_says_what_is_missing(client, admin):
    home = client.get("/admin/").get_data(as_text=True)
    assert re.search(r'href="/admin/settings/messages"[^>]*>알림 설정</a>', home)
    page = client.get("/admin/settings/messages").get_data(as_text=True)
    assert "발송 안 함" in page
    missing = page[page.index('id="missing"') :]
    missing = missing[: missing.index("</ul>")]
    for item in ("SOLAPI API 키와 시크릿", "SOLAPI에 사전 등록한 발신번호", "구매자에게 알림 보내기 켜기"):
        assert item in missing
    assert "발신번호 사전등록제" in page  # the number must be registered with the provider first
    assert "[#{상점명}] 주문이 접수되었습니다." in page  # the texts to register with Kakao
    assert saved(client.application).enabled is False  # off until the merchant turns it on


def test_the_home_checklist_offers_messages_as_an_optional_step(client, admin, messages_on):
    home = client.get("/admin/").get_data(as_text=True)
    step = re.search(r'<li class="step-optional step-optional-done">.*?</li>', home, re.S).group(0)
    assert "고객 알림 (알림톡·문자)" in step and "완료" in step


def test_the_home_checklist_step_is_open_until_messages_are_on(client, admin):
    home = client.get("/admin/").get_data(as_text=True)
    step = re.search(r'<li class="step-optional">.*?</li>', home, re.S).group(0)
    assert 'href="/admin/settings/messages"' in step and "선택" in step


def test_turning_messages_on_needs_the_servers_keys(client, admin):
    response = admin.post("/admin/settings/messages", data=FORM)
    assert response.status_code == 422
    assert "서버에 SOLAPI API 키와 시크릿이 아직 설정되지 않아" in response.get_data(as_text=True)
    assert saved(client.application).enabled is False


def test_turning_messages_on_needs_a_sender_number(client, admin, solapi):
    response = admin.post("/admin/settings/messages", data={**FORM, "sender_number": ""})
    assert response.status_code == 422
    assert "SOLAPI에 등록한 발신번호를 입력하세요" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sender_number", "12-34", "등록한 번호를 입력하세요"),
        ("sender_number", "<script>", "등록한 번호를 입력하세요"),
        ("kakao_pf_id", "KA01PF 공백<b>", "SOLAPI 콘솔에 표시된 그대로"),
        ("template_id_shipped", "x" * 41, "SOLAPI 콘솔에 표시된 그대로"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(client, admin, solapi, field, value, message):
    response = admin.post("/admin/settings/messages", data={**FORM, field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and "<b>" not in page.split("SOLAPI 콘솔")[0][-200:]


def test_saving_stores_each_messages_switch_and_template_id(client, admin, solapi):
    data = {**FORM, "kakao_pf_id": PF_ID, "on_order_placed_transfer": "y",
            "template_id_order_placed_transfer": "KA01TPTRANSFER", "on_shipped": "y"}  # fmt: skip
    response = admin.post("/admin/settings/messages", data=data, follow_redirects=True)
    assert "알림 설정을 저장했습니다." in response.get_data(as_text=True)
    info = saved(client.application)
    assert info.ready and info.sender_number == SENDER and info.kakao_pf_id == PF_ID
    assert info.switches[T.ORDER_PLACED_TRANSFER] == settings.TemplateSwitch(True, "KA01TPTRANSFER")
    assert info.switches[T.SHIPPED].enabled and not info.switches[T.DELIVERED].enabled  # unticked: off
    page = client.get("/admin/settings/messages").get_data(as_text=True)
    assert 'value="KA01TPTRANSFER"' in page and "발송 중" in page


def test_saving_needs_the_forms_token(client, admin, solapi):
    response = client.post("/admin/settings/messages", data=FORM)
    assert response.status_code == 400 and saved(client.application).enabled is False


def test_a_test_message_goes_to_the_merchants_phone_as_sms_without_alimtalk(client, admin, messages_on):
    data = {"phone": "010-9876-5432", "template": "shipped"}
    page = admin.post("/admin/settings/messages/test", data=data, follow_redirects=True).get_data(as_text=True)
    assert "테스트 메시지를 LMS(으)로 보냈습니다" in page
    (message,) = messages_on.taken
    assert message["to"] == "01098765432" and "601234567890" in message["text"]


def test_a_test_message_tries_the_registered_alimtalk(client, admin, alimtalk_on):
    admin.post("/admin/settings/messages/test", data={"phone": "010-9876-5432", "template": "delivered"})
    (message,) = alimtalk_on.taken
    assert message["type"] == "ATA" and message["kakaoOptions"]["templateId"] == template_id(T.DELIVERED)


def test_a_test_message_says_why_alimtalk_was_refused(client, admin, alimtalk_on):
    alimtalk_on.templates.clear()
    data = {"phone": "010-9876-5432", "template": "delivered"}
    page = admin.post("/admin/settings/messages/test", data=data, follow_redirects=True).get_data(as_text=True)
    assert "알림톡이 거절되어 문자로 보냈습니다" in page and "템플릿을 찾을 수 없음" in page
    assert [m["type"] for m in alimtalk_on.taken] == ["LMS"]


def test_a_test_message_to_a_bad_number_or_without_keys_says_so(client, admin, solapi):
    response = admin.post("/admin/settings/messages/test", data={"phone": "02-123", "template": "shipped"})
    assert response.status_code == 422 and "010-1234-5678" in response.get_data(as_text=True)
    page = admin.post("/admin/settings/messages/test", data={"phone": "010-9876-5432", "template": "shipped"},
                      follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "먼저 SOLAPI 키와 발신번호를 설정하세요" in page and solapi.taken == []
    bad = admin.post("/admin/settings/messages/test", data={"phone": "010-9876-5432", "template": "nope"})
    assert bad.status_code == 422


# -- 발송 내역 on the order page -------------------------------------------------------------------------


def test_the_order_page_lists_the_messages_sent_and_why_one_failed(app, client, admin, alimtalk_on, bank_ready,
                                                                   make_product):  # fmt: skip
    _, token = make_product(name="원두", price=12000)
    alimtalk_on.templates.pop((PF_ID, template_id(T.PAYMENT_CONFIRMED)))  # rejected at 검수
    order_no = re.match(r"/orders/([^?]+)", place(app.test_client(), token).headers["Location"]).group(1)
    alimtalk_on.wait_for(1)
    settle_messages()
    order = order_row(app, order_no)
    admin.post(f"/admin/orders/{order.id}/paid")
    alimtalk_on.wait_for(2)
    settle_messages()
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    history = page[page.index('id="messages"') :]
    history = history[: history.index("</section>")]
    rows = re.findall(r"<tr>(.*?)</tr>", history, re.S)[1:]
    assert len(rows) == 2
    assert "주문 접수 (무통장입금)" in rows[0] and "알림톡" in rows[0] and "발송됨" in rows[0]
    assert "입금 확인 / 결제 완료" in rows[1] and "LMS" in rows[1] and "템플릿을 찾을 수 없음" in rows[1]


# -- 문자로 보내기 ------------------------------------------------------------------------------------------


@pytest.fixture
def bound_window(make_product):
    product_id, token = make_product(name="김규섭 고객님 개인결제창", price=30000, listed=False,
                                     customer_name="김규섭", customer_phone="01012345678")  # fmt: skip
    return product_id, token


def send_text_form(client, product_id) -> dict:
    page = client.get(f"/admin/products/{product_id}/edit").get_data(as_text=True)
    text = re.search(r'<textarea[^>]*name="sms-text"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    nonce = re.search(r'name="sms-nonce" type="hidden" value="([^"]+)"', page).group(1)
    import html

    return {"sms-text": html.unescape(text).strip(), "sms-nonce": nonce, "csrf_token": csrf_from(page)}


def test_a_window_made_for_a_customer_is_sent_by_text_message_without_their_name(app, client, admin, messages_on,
                                                                                  bound_window):  # fmt: skip
    product_id, token = bound_window
    form = send_text_form(client, product_id)
    assert "김규섭" not in form["sms-text"] and f"/products/{token}" in form["sms-text"]
    response = client.post(f"/admin/products/{product_id}/send-text", data=form, follow_redirects=True)
    assert "010-1234-5678(으)로 링크를 문자로 보내고 있습니다." in response.get_data(as_text=True)
    client.post(f"/admin/products/{product_id}/send-text", data=form)  # the same form sent twice
    messages_on.wait_for(1)
    settle_messages()
    (message,) = messages_on.taken
    assert message["to"] == "01012345678" and message["text"] == form["sms-text"]
    assert message["type"] == "SMS"  # 90 bytes or less
    page = client.get(f"/admin/products/{product_id}/edit").get_data(as_text=True)
    assert "발송됨" in page[page.index('id="send-text"') :]


def test_the_merchant_may_name_the_customer_in_their_own_text(client, admin, messages_on, bound_window):
    product_id, token = bound_window
    form = send_text_form(client, product_id)
    form["sms-text"] = f"김규섭 님, 주문하신 원두 결제 링크입니다. http://localhost/products/{token}"
    client.post(f"/admin/products/{product_id}/send-text", data=form)
    (message,) = messages_on.wait_for(1)
    assert message["text"] == form["sms-text"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "보낼 내용을 입력하세요."),
        ("링크 없는 문자", "메시지에 결제 링크를 넣어 주세요"),
        ("가" * 1001 + " {url}", "2,000바이트"),
    ],  # fmt: skip
)
def test_a_text_without_the_link_or_too_long_is_refused(client, admin, messages_on, bound_window, text, error):
    product_id, token = bound_window
    form = send_text_form(client, product_id)
    form["sms-text"] = text.format(url=f"http://localhost/products/{token}")
    response = client.post(f"/admin/products/{product_id}/send-text", data=form)
    assert response.status_code == 422 and error in response.get_data(as_text=True)
    settle_messages()
    assert messages_on.taken == []


def test_without_messages_on_the_panel_points_to_the_settings(client, admin, bound_window):
    product_id, _ = bound_window
    page = client.get(f"/admin/products/{product_id}/edit").get_data(as_text=True)
    panel = page[page.index('id="send-text"') :]
    assert 'href="/admin/settings/messages"' in panel[:1500] and "sms-text" not in page
    assert 'href="sms:?&amp;body=' in page  # the phone's own messaging app, as before
    assert admin.post(f"/admin/products/{product_id}/send-text", data={}).status_code == 302


def test_sending_a_link_needs_the_forms_token(app, client, admin, messages_on, bound_window):
    product_id, _ = bound_window
    form = send_text_form(client, product_id)
    form.pop("csrf_token")
    assert client.post(f"/admin/products/{product_id}/send-text", data=form).status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BuyerMessage)) == 0


# -- what the buyer agrees to ------------------------------------------------------------------------------


def test_the_consent_text_says_the_phone_gets_this_orders_messages_once_they_are_on(
    app, client, messages_on, bank_ready, make_product
):
    from storefront import policies

    _, token = make_product(name="원두", price=12000)
    checkout = client.get(f"/products/{token}/buy").get_data(as_text=True)
    assert "이 주문의 진행 안내(휴대폰 번호로 카카오 알림톡 또는 문자 발송)" in checkout
    with app.test_request_context():
        assert "솔라피" in policies.current_text(PolicyKind.PRIVACY)
        settings.save(False, SENDER, "", {})
        db.session.commit()
    checkout = client.get(f"/products/{token}/buy").get_data(as_text=True)
    assert "알림톡" not in checkout


def test_an_order_agreed_before_keeps_the_text_it_agreed_to(app, client, messages_on, bank_ready, make_product):
    _, token = make_product(name="원두", price=12000)
    order_no = re.match(r"/orders/([^?]+)", place(app.test_client(), token).headers["Location"]).group(1)
    settle_messages()
    with app.test_request_context():
        settings.save(False, SENDER, "", {})
        db.session.commit()
    with app.app_context():
        from storefront.models import Order

        order = db.session.scalar(sa.select(Order).where(Order.order_no == order_no))
        assert "카카오 알림톡" in order.collection_consent.body
        assert db.session.scalar(sa.select(BuyerMessage.status)) is MessageStatus.SENT
