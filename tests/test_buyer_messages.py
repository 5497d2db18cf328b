"""Messages to buyers (알림톡, SMS/LMS) against a local SOLAPI that checks its documented requests:
one message per order and event, sent after the commit, never lost and never sent twice."""

import logging
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from storefront import messaging
from storefront.extensions import db
from storefront.messaging import outbox
from storefront.models import BuyerMessage, MessageStatus, MessageTemplate, Order

from .builders import PF_ID, SENDER, order_row, template_id
from .conftest import BUYER_FORM, place, settle_messages

BUYER_PHONE = "01012345678"


@pytest.fixture
def window(make_product, bank_ready):
    product_id, token = make_product(name="원두 정기배송 3개월", price=12000)
    return {"id": product_id, "token": token}


def order_transfer(app, token, **overrides):
    response = place(app.test_client(), token, **overrides)
    assert response.status_code == 302, response.get_data(as_text=True)
    order_no, secret = re.match(r"/orders/([^?]+)\?t=(.+)", response.headers["Location"]).groups()
    return order_no, secret


def rows(app) -> list[BuyerMessage]:
    with app.app_context():
        found = db.session.scalars(sa.select(BuyerMessage).order_by(BuyerMessage.id)).all()
        db.session.expunge_all()
        return found


def send_notifications(runner, minutes_later: float = 0):
    """The cron command, run now or ``minutes_later`` (the shop's clock moved on, ticking)."""
    if not minutes_later:
        return runner.invoke(args=["send-notifications"])
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=minutes_later), tick=True):
        return runner.invoke(args=["send-notifications"])


# -- nothing configured ------------------------------------------------------------------------------


def test_without_settings_an_order_queues_and_sends_nothing(app, solapi, window):
    # The keys are in the environment, but the merchant has not turned 알림 설정 on.
    order_transfer(app, window["token"])
    settle_messages()
    assert rows(app) == [] and solapi.taken == [] and solapi.requests == []


def test_without_the_provider_keys_the_saved_settings_send_nothing(app, window):
    from storefront.messaging import settings

    with app.test_request_context():
        settings.save(True, SENDER, PF_ID, {})
        db.session.commit()
        assert not settings.current().ready
    order_transfer(app, window["token"])
    assert rows(app) == []


# -- 주문 접수, and how it is sent ------------------------------------------------------------------


def test_a_transfer_order_texts_its_buyer_the_account_the_amount_the_deadline_and_the_order_link(
    app, messages_on, window
):
    order_no, secret = order_transfer(app, window["token"])
    (message,) = messages_on.wait_for(1)
    settle_messages()
    order = order_row(app, order_no)
    assert message["to"] == BUYER_PHONE and message["from"] == SENDER
    assert message["type"] == "LMS"  # longer than an SMS's 90 bytes
    text = message["text"]
    assert "123456-01-234567" in text and "12,000원" in text and order_no in text
    assert f"/orders/{order_no}?t={secret}" in text
    assert lifecycle_deadline(order) in text
    # Only what the buyer needs: not the address, not the buyer's name or e-mail.
    for private in (BUYER_FORM["address"], BUYER_FORM["address_detail"], BUYER_FORM["buyer_email"], "김규섭"):
        assert private not in text
    (row,) = rows(app)
    assert row.status is MessageStatus.SENT and row.channel == "LMS" and row.attempts == 1
    assert row.order_token is None  # sent: the shop keeps only the token's hash again
    assert row.provider_message_id == message["messageId"]


def lifecycle_deadline(order: Order) -> str:
    from storefront.messaging.templates import kst

    return kst(order.expires_at)


def test_the_order_link_in_the_message_opens_the_buyers_order(app, messages_on, window):
    order_no, _ = order_transfer(app, window["token"])
    (message,) = messages_on.wait_for(1)
    link = re.search(r"https?://\S+", message["text"]).group(0)
    page = app.test_client().get(link.split("localhost", 1)[1])
    assert page.status_code == 200 and order_no in page.get_data(as_text=True)


def test_with_alimtalk_set_up_the_order_goes_as_alimtalk_with_the_registered_template(app, alimtalk_on, window):
    order_no, secret = order_transfer(app, window["token"])
    (message,) = alimtalk_on.wait_for(1)
    settle_messages()
    assert message["type"] == "ATA"
    kakao = message["kakaoOptions"]
    assert kakao["pfId"] == PF_ID and kakao["templateId"] == template_id(MessageTemplate.ORDER_PLACED_TRANSFER)
    assert kakao["variables"]["#{입금계좌}"] == "국민은행 123456-01-234567 (규섭커피)"
    assert kakao["variables"]["#{주문번호}"] == order_no
    assert kakao["disableSms"] is False  # SOLAPI sends the same text as SMS/LMS when Kakao cannot deliver it
    assert f"/orders/{order_no}?t={secret}" in message["text"]
    (row,) = rows(app)
    assert row.status is MessageStatus.SENT and row.channel == "ATA" and row.last_error == ""


def test_a_refused_alimtalk_template_goes_as_sms_at_once_and_once(app, alimtalk_on, window):
    alimtalk_on.templates.clear()  # the template was rejected at 검수 (or its ID mistyped)
    order_transfer(app, window["token"])
    (message,) = alimtalk_on.wait_for(1)
    settle_messages()
    assert message["type"] == "LMS" and "123456-01-234567" in message["text"]
    (row,) = rows(app)
    assert row.status is MessageStatus.SENT and row.channel == "LMS" and row.attempts == 1
    assert "알림톡" in row.last_error and "템플릿" in row.last_error


def test_the_message_length_in_euc_kr_bytes_decides_sms_or_lms():
    assert messaging.text_bytes("가" * 45) == 90 and messaging.text_type("가" * 45) == "SMS"
    assert messaging.text_type("가" * 45 + "a") == "LMS"
    assert messaging.text_type("a" * 90) == "SMS" and messaging.text_type("a" * 91) == "LMS"
    assert messaging.text_bytes("😀") == 2  # not in EUC-KR: counted as a double-byte character


# -- failures: never lost, never twice ------------------------------------------------------------------


def test_a_timeout_leaves_the_message_to_the_next_run_which_sends_it_once(app, runner, messages_on, window):
    messages_on.answers = ["timeout"]
    order_transfer(app, window["token"])
    settle_messages()
    (row,) = rows(app)
    assert row.status is MessageStatus.PENDING and row.unsure and row.attempts == 1 and messages_on.taken == []
    assert send_notifications(runner).output.count("Sent 0 buyer message(s)") == 1  # not due yet (backoff)
    result = send_notifications(runner, minutes_later=2)
    assert "Sent 1 buyer message(s)" in result.output
    assert len(messages_on.taken) == 1
    (row,) = rows(app)
    assert row.status is MessageStatus.SENT and row.attempts == 2 and not row.unsure


@pytest.mark.parametrize("lost_answer", ["taken_then_timeout", "taken_then_500"])
def test_a_message_taken_whose_answer_was_lost_is_found_not_sent_again(app, runner, messages_on, window, lost_answer):
    messages_on.answers = [lost_answer]
    order_transfer(app, window["token"])
    settle_messages()
    assert len(messages_on.taken) == 1
    (row,) = rows(app)
    assert row.status is MessageStatus.PENDING and row.unsure
    send_notifications(runner, minutes_later=2)
    assert len(messages_on.taken) == 1  # looked up by its key, found, not sent again
    (row,) = rows(app)
    assert row.status is MessageStatus.SENT and row.provider_message_id == messages_on.taken[0]["messageId"]


def test_a_5xx_before_anything_was_taken_is_sent_on_the_next_run(app, runner, messages_on, window):
    messages_on.answers = [500]
    order_transfer(app, window["token"])
    settle_messages()
    send_notifications(runner, minutes_later=2)
    assert len(messages_on.taken) == 1
    assert rows(app)[0].status is MessageStatus.SENT


def test_refused_keys_keep_the_message_until_they_are_fixed(app, runner, messages_on, window):
    messages_on.broken_keys = True
    order_transfer(app, window["token"])
    settle_messages()
    (row,) = rows(app)
    assert row.status is MessageStatus.PENDING and not row.unsure and "InvalidApiKey" in row.last_error
    messages_on.broken_keys = False
    send_notifications(runner, minutes_later=2)
    assert len(messages_on.taken) == 1 and rows(app)[0].status is MessageStatus.SENT


def test_after_its_last_try_a_message_is_marked_failed(app, runner, messages_on, window):
    messages_on.senders.clear()  # the 발신번호 is not registered (발신번호 사전등록제)
    order_transfer(app, window["token"])
    settle_messages()
    minutes = 0
    for wait in outbox.BACKOFF:
        minutes += wait + 1
        send_notifications(runner, minutes_later=minutes)
    (row,) = rows(app)
    assert row.status is MessageStatus.FAILED and row.attempts == outbox.MAX_ATTEMPTS
    assert "발신번호" in row.last_error and row.order_token is None and messages_on.taken == []


def test_two_senders_at_once_send_a_message_once(app, messages_on, window):
    messages_on.answers = [500]  # the first try fails, so both senders find the message due
    order_transfer(app, window["token"])
    settle_messages()
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=2), tick=True):
        start = threading.Barrier(2)

        def sender():
            with app.test_request_context():
                start.wait()
                outbox.send_pending()

        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
    assert len(messages_on.taken) == 1
    assert rows(app)[0].attempts == 2


def test_a_rolled_back_order_queues_nothing(app, messages_on, window):
    from storefront import orders
    from storefront.models import Product

    with app.test_request_context():
        product = db.session.get(Product, window["id"])
        data = orders.CheckoutData(quantity=1, buyer_name="김규섭", buyer_phone=BUYER_PHONE, expected_total=12000)
        orders.place_order(product, data, orders.new_nonce())
        db.session.rollback()
    settle_messages()
    assert rows(app) == [] and messages_on.taken == []


def test_logs_mask_the_buyers_phone(app, messages_on, window, caplog):
    messages_on.answers = [500]
    with caplog.at_level(logging.WARNING, logger="storefront.messaging.outbox"):
        order_transfer(app, window["token"])
        settle_messages()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "010-****-5678" in logged and BUYER_PHONE not in logged and "010-1234-5678" not in logged


# -- delivery reports ---------------------------------------------------------------------------------------


def test_a_delivery_report_marks_the_message_received(app, client, messages_on, window):
    order_transfer(app, window["token"])
    (message,) = messages_on.wait_for(1)
    settle_messages()
    response = client.post("/webhooks/solapi?key=report-secret-4f9a", json=messages_on.report(message))
    assert response.status_code == 200
    assert rows(app)[0].status is MessageStatus.DELIVERED


def test_an_alimtalk_replaced_by_sms_is_reported_as_received_by_sms(app, client, alimtalk_on, window):
    order_transfer(app, window["token"])
    (message,) = alimtalk_on.wait_for(1)
    settle_messages()
    client.post("/webhooks/solapi?key=report-secret-4f9a", json=alimtalk_on.report(message, "3104"))
    assert rows(app)[0].status is MessageStatus.FAILED and "3104" in rows(app)[0].last_error
    client.post("/webhooks/solapi?key=report-secret-4f9a", json=alimtalk_on.report(message, type_="LMS"))
    (row,) = rows(app)
    assert row.status is MessageStatus.DELIVERED and row.channel == "LMS"


def test_a_report_without_the_secret_is_refused(app, client, messages_on, window):
    order_transfer(app, window["token"])
    (message,) = messages_on.wait_for(1)
    settle_messages()
    assert client.post("/webhooks/solapi", json=messages_on.report(message)).status_code == 403
    assert client.post("/webhooks/solapi?key=guess", json=messages_on.report(message)).status_code == 403
    assert client.post("/webhooks/solapi?key=report-secret-4f9a", data="not json").status_code == 400
    assert rows(app)[0].status is MessageStatus.SENT


def test_the_report_webhook_is_off_without_a_secret(app, client, messages_on):
    app.config["SOLAPI_WEBHOOK_SECRET"] = ""
    assert client.post("/webhooks/solapi?key=", json=[]).status_code == 404


# -- the rule table -----------------------------------------------------------------------------------------


def test_every_order_template_names_only_variables_the_shop_fills(app):
    from storefront.messaging import templates

    with app.test_request_context():
        for template in templates.ORDER_TEMPLATES:
            body = templates.body(template)
            assert body.startswith("[#{상점명}]"), template
            assert messaging.text_bytes(body) < 1000, template


def test_a_message_is_queued_once_per_order_and_event(app, messages_on, window):
    order_no, _ = order_transfer(app, window["token"])
    settle_messages()
    with app.test_request_context():
        order = db.session.scalar(sa.select(Order).where(Order.order_no == order_no))
        outbox.order_placed(order, "another-token", order.created_at)
        outbox.after_step(order, order.status, order.status.__class__.SHIPPED, "", order.created_at)
        outbox.after_step(order, order.status, order.status.__class__.SHIPPED, "", order.created_at)
        db.session.commit()
    settle_messages()
    assert [row.template for row in rows(app)] == [MessageTemplate.ORDER_PLACED_TRANSFER, MessageTemplate.SHIPPED]


def test_the_order_page_says_the_details_went_to_the_buyers_phone(app, messages_on, window):
    order_no, secret = order_transfer(app, window["token"])
    settle_messages()
    page = app.test_client().get(f"/orders/{order_no}?t={secret}").get_data(as_text=True)
    assert "휴대폰 번호로(카카오 알림톡 또는 문자) 보내 드립니다" in page


def test_a_later_messages_link_opens_the_guest_lookup_with_the_order_number_filled_in(app, messages_on, window):
    order_no, _ = order_transfer(app, window["token"])
    page = app.test_client().get(f"/orders/lookup?order_no={order_no}").get_data(as_text=True)
    assert f'value="{order_no}"' in page
    settle_messages()


# -- the provider's door ------------------------------------------------------------------------------------


def test_the_fake_refuses_a_wrong_signature_a_skewed_date_and_a_reused_signature(app, solapi):
    import requests

    from storefront.messaging.solapi import Solapi

    body = {"messages": [{"to": BUYER_PHONE, "from": SENDER, "type": "SMS", "text": "테스트"}]}
    url = app.config["SOLAPI_API_BASE"] + "/messages/v4/send-many/detail"
    wrong = Solapi(app.config["SOLAPI_API_BASE"], app.config["SOLAPI_API_KEY"], "not-the-secret", 1)
    answer = requests.post(url, json=body, headers={"Authorization": wrong.authorization()}, timeout=5)
    assert answer.status_code == 401 and answer.json()["errorCode"] == "SignatureDoesNotMatch"
    right = Solapi(app.config["SOLAPI_API_BASE"], app.config["SOLAPI_API_KEY"], app.config["SOLAPI_API_SECRET"], 1)
    skewed = right.authorization(now=datetime.now(UTC) - timedelta(minutes=16))
    answer = requests.post(url, json=body, headers={"Authorization": skewed}, timeout=5)
    assert answer.json()["errorCode"] == "RequestTimeTooSkewed"
    header = right.authorization()
    assert requests.post(url, json=body, headers={"Authorization": header}, timeout=5).status_code == 200
    answer = requests.post(url, json=body, headers={"Authorization": header}, timeout=5)
    assert answer.status_code == 401 and answer.json()["errorCode"] == "DuplicatedSignature"
    assert len(solapi.taken) == 1


def test_the_shop_signs_as_the_docs_say(app):
    import hashlib
    import hmac

    from storefront.messaging.solapi import Solapi

    header = Solapi("https://api.solapi.com", "NCSKEY", "SECRET", 1).authorization()
    match = re.fullmatch(r"HMAC-SHA256 apiKey=NCSKEY, date=(\S+), salt=(\w+), signature=([0-9a-f]{64})", header)
    date, salt, signature = match.groups()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", date) and 12 <= len(salt) <= 64
    assert signature == hmac.new(b"SECRET", (date + salt).encode(), hashlib.sha256).hexdigest()


# -- retention --------------------------------------------------------------------------------------------


def test_purging_old_orders_erases_the_numbers_their_messages_went_to(app, runner, messages_on, window):
    order_no, _ = order_transfer(app, window["token"])
    messages_on.wait_for(1)
    settle_messages()
    with time_machine.travel(datetime.now(UTC) + timedelta(days=5 * 366 + 2), tick=True):
        runner.invoke(args=["purge-personal-data"])
    (row,) = rows(app)
    assert row.to_phone == "" and row.text == "" and row.status is MessageStatus.SENT
