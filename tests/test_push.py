"""Web Push to the merchant's devices, against a local push service that checks VAPID and decrypts."""

import re
import threading
import time

import pytest
import sqlalchemy as sa

from storefront import orders, push, shipping
from storefront.extensions import db
from storefront.models import Order, Product, PushEvent, PushMessage, PushSubscription, VapidKey

from .builders import beacon, order_row, success_url, webhook
from .conftest import BUYER_FORM, LiveServer, place
from .fake_push import FakePushService

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"
)
PERSONAL = [BUYER_FORM[name] for name in ("buyer_name", "buyer_email", "address", "address_detail", "postcode")]
PERSONAL += ["010-1234-5678", "01012345678", "1234-5678", "테헤란로"]


@pytest.fixture
def push_service(app):
    fake = FakePushService()
    server = LiveServer(fake.app)
    server.start()
    fake.url = server.url
    app.config.update(PUSH_ALLOW_HTTP=True, PUSH_TIMEOUT=1)
    yield fake
    fake.release.set()
    for thread in threading.enumerate():
        if thread.name == "web-push":
            thread.join(timeout=15)  # the sender ends before the app's database goes
    server.stop()


def json_post(admin, url, body=None, **headers):
    headers.setdefault("X-CSRFToken", admin.token)
    return admin._client.post(url, json=body if body is not None else {}, headers=headers)


def subscribe(admin, fake, **switches):
    """A browser of the logged-in merchant taps 알림 받기: the key, the subscription, then its switches."""
    key = json_post(admin, "/admin/push/key").json["publicKey"]
    device = fake.device(key)
    response = json_post(admin, "/admin/push/subscriptions", device.subscription, **{"User-Agent": ANDROID_CHROME})
    assert response.status_code == 201, response.get_data(as_text=True)
    if switches:
        set_switches(admin, device_id(admin._client.application, device), **switches)
    return device


def device_id(app, device) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(PushSubscription.id).where(PushSubscription.endpoint == device.endpoint))


def set_switches(admin, subscription_id, **switches):
    """Send the device's form from 관리자 홈 with the events given as on (the others left unticked)."""
    page = admin._client.get("/admin/").get_data(as_text=True)
    ticked = {f"device-{subscription_id}-{e.value}" for e in PushEvent if switched_on(page, subscription_id, e.value)}
    for name, on in switches.items():
        (ticked.add if on else ticked.discard)(f"device-{subscription_id}-{name}")
    data = {name: "y" for name in ticked}
    data.update({f"device-{subscription_id}-csrf_token": admin.token, "device": str(subscription_id)})
    return admin._client.post("/admin/push/devices/events", data=data)


def switched_on(page: str, subscription_id: int, event: str) -> bool:
    tag = re.search(rf'<input[^>]*id="device-{subscription_id}-{event}"[^>]*>', page).group(0)
    return " checked" in tag


def messages(app):
    with app.app_context():
        rows = db.session.scalars(sa.select(PushMessage).order_by(PushMessage.id)).all()
        db.session.expunge_all()
        return rows


def settle(fake, app, seconds=10.0):
    """Wait until no push is pending and the background senders are done."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        busy = any(t.name == "web-push" for t in threading.enumerate())
        if not busy and all(m.sent_at or m.claimed_until is None for m in messages(app)):
            return
        time.sleep(0.05)


@pytest.fixture
def window(make_product, bank_ready):
    product_id, token = make_product(name="원두 정기배송 3개월", price=12000)
    return {"id": product_id, "token": token}


# -- an order placed -----------------------------------------------------------------------------


def test_an_order_pushes_once_to_each_subscribed_device_after_the_commit(app, admin, push_service, window):
    phone, desktop = subscribe(admin, push_service), subscribe(admin, push_service)
    committed = []

    def check_order_committed(device, payload):
        # Seen from another connection while the push arrives: the order's transaction is over.
        no = re.search(r"\d{6}-[A-Z0-9]{8}", payload["body"]).group(0)
        with app.app_context():
            committed.append(db.session.scalar(sa.select(Order.id).where(Order.order_no == no)) is not None)

    push_service.on_push = check_order_committed
    response = place(app.test_client(), window["token"])
    order = order_row(app, re.match(r"/orders/([^?]+)", response.headers["Location"]).group(1))

    delivered = push_service.wait_for(2)
    settle(push_service, app)
    assert sorted(d.id for d, _ in push_service.delivered()) == sorted([phone.id, desktop.id])  # once each
    assert committed == [True, True] and push_service.refused == []
    for _, payload in delivered:
        assert payload["title"] == "입금 확인 필요"  # a bank transfer order
        assert payload["body"] == f"원두 정기배송 3개월 · 12,000원 · 주문번호 {order.order_no}"
        assert payload["url"] == f"/admin/orders/{order.id}"
        text = str(payload)
        assert not any(value in text for value in PERSONAL), text
    assert all(m.sent_at is not None and m.attempts == 1 for m in messages(app))


def test_the_push_is_signed_for_the_push_service_with_the_shops_address(app, admin, push_service, window):
    with app.test_request_context():
        from storefront.settings import save_settings

        save_settings({"email": "help@example.com"})
        db.session.commit()
    subscribe(admin, push_service)
    place(app.test_client(), window["token"])
    push_service.wait_for(1)
    (request,) = push_service.requests
    claims = request["claims"]
    assert claims["sub"] == "mailto:help@example.com" and claims["aud"] == push_service.url
    assert 0 < claims["exp"] - time.time() <= 24 * 3600
    assert request["headers"]["Content-Encoding"] == "aes128gcm" and int(request["headers"]["Ttl"]) > 0
    assert request["headers"]["Urgency"] == "high"


def test_a_rolled_back_order_pushes_nothing(app, admin, push_service, window):
    subscribe(admin, push_service)
    with app.test_request_context():
        product = db.session.get(Product, window["id"])
        total = shipping.order_fee([shipping.Line(product, 1)], "06236").total
        data = orders.CheckoutData(quantity=1, buyer_name="김규섭", buyer_phone="01012345678", postcode="06236",
                                   address="서울", expected_total=total)  # fmt: skip
        orders.place_order(product, data, orders.new_nonce())
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PushMessage)) == 1
        db.session.rollback()
        db.session.commit()  # a later commit of the same session sends nothing either
    time.sleep(0.5)
    assert messages(app) == [] and push_service.requests == []


def test_a_card_payment_and_a_virtual_account_deposit_are_pushed(app, client, admin, push_service, toss, card_order):
    subscribe(admin, push_service)  # after the card order was placed: only what follows is pushed
    key = toss.open_session(card_order["order_no"], 45000)
    client.get(success_url(card_order, key, 45000))
    (paid,) = [p for _, p in push_service.wait_for(1)]
    assert paid["title"] == "결제 완료" and "45,000원" in paid["body"] and card_order["order_no"] in paid["body"]

    second = place(app.test_client(), _product_token(app, card_order["product_id"]), payment_method="card")
    no, t = re.match(r"/orders/([^?]+)\?t=(.+)", second.headers["Location"]).groups()
    push_service.wait_for(2)  # 새 주문 (a card order placed)
    key = toss.authenticate(no, 45000, method="가상계좌")
    client.get(success_url({"order_no": no, "t": t}, key, 45000))
    callback = toss.deposit(key)
    assert client.post("/webhooks/toss", json=callback).status_code == 200
    titles = [p["title"] for _, p in push_service.wait_for(3)]
    assert titles == ["결제 완료", "새 주문", "가상계좌 입금"]
    webhook(client, key, no, "DONE")  # told again: nothing new to push
    settle(push_service, app)
    assert len(push_service.delivered()) == 3


def _product_token(app, product_id):
    with app.app_context():
        return db.session.get(Product, product_id).public_token


def test_the_merchants_own_deposit_confirmation_is_not_pushed(app, admin, push_service, window):
    subscribe(admin, push_service)
    place(app.test_client(), window["token"])
    push_service.wait_for(1)
    with app.app_context():
        order_id = db.session.scalar(sa.select(Order.id))
    admin.post(f"/admin/orders/{order_id}/paid")
    settle(push_service, app)
    assert [p["title"] for _, p in push_service.delivered()] == ["입금 확인 필요"]


# -- devices the push service no longer knows, failures, retries ----------------------------------


@pytest.mark.parametrize("status", [410, 404])
def test_a_device_the_push_service_no_longer_knows_is_removed(app, admin, push_service, window, status):
    kept, gone = subscribe(admin, push_service), subscribe(admin, push_service)
    gone.answer = status
    place(app.test_client(), window["token"])
    push_service.wait_for(1)
    settle(push_service, app)
    with app.app_context():
        endpoints = db.session.scalars(sa.select(PushSubscription.endpoint)).all()
    assert endpoints == [kept.endpoint]
    assert [m.subscription_id for m in messages(app)] == [device_id(app, kept)]  # its messages went with it
    place(app.test_client(), window["token"])
    push_service.wait_for(2)
    settle(push_service, app)
    assert [r["device"] for r in push_service.requests].count(gone.id) == 1  # never tried again


@pytest.mark.parametrize("failure", [500, "timeout"])
def test_a_failed_push_is_retried_by_send_notifications_and_never_sent_twice(
    app, admin, runner, push_service, window, failure
):
    device = subscribe(admin, push_service)
    device.answer = failure
    place(app.test_client(), window["token"])
    settle(push_service, app)
    (message,) = messages(app)
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    assert device.received == []

    device.answer = None  # the push service is back
    assert "Sent 1 push notification(s)." in runner.invoke(args=["send-notifications"]).output
    assert "Sent 0 push notification(s)." in runner.invoke(args=["send-notifications"]).output
    assert len(device.received) == 1 and device.received[0]["title"] == "입금 확인 필요"
    (message,) = messages(app)
    assert message.sent_at is not None and message.attempts == 2


def test_a_push_that_keeps_failing_is_given_up_after_a_few_tries(app, admin, runner, push_service, window):
    device = subscribe(admin, push_service)
    device.answer = 500
    place(app.test_client(), window["token"])
    settle(push_service, app)
    for _ in range(push.MAX_ATTEMPTS + 2):
        runner.invoke(args=["send-notifications"])
    assert len(push_service.requests) == push.MAX_ATTEMPTS
    (message,) = messages(app)
    assert message.attempts == push.MAX_ATTEMPTS and message.sent_at is None


def test_a_message_held_by_another_sender_is_not_sent_again(app, admin, push_service, window, monkeypatch):
    device = subscribe(admin, push_service)
    monkeypatch.setattr(push, "send_pending_soon", lambda: None)  # no sender after the commit: two by hand
    place(app.test_client(), window["token"])
    with app.test_request_context():
        (message_id,) = db.session.scalars(sa.select(PushMessage.id)).all()
        held = push._claim(message_id)  # a first sender has it and is still sending
        assert held is not None
        assert push.send_pending() == 0  # the second finds it held
        assert push._claim(message_id) is None
    assert device.received == [] and push_service.requests == []


# -- the events each device takes --------------------------------------------------------------------


def test_each_device_gets_the_events_switched_on_for_it(app, admin, push_service, window):
    both = subscribe(admin, push_service)
    new_orders_only = subscribe(admin, push_service, deposit_needed=False)
    deposits_only = subscribe(admin, push_service, order_placed=False)
    silent = subscribe(admin, push_service, order_placed=False, deposit_needed=False)
    place(app.test_client(), window["token"])
    push_service.wait_for(3)
    settle(push_service, app)
    got = {device.id: [p["title"] for p in device.received] for device in push_service.devices.values()}
    assert got == {
        both.id: ["입금 확인 필요"],
        new_orders_only.id: ["새 주문"],  # a transfer order is still a new order
        deposits_only.id: ["입금 확인 필요"],
        silent.id: [],
    }


def test_the_first_opening_of_a_window_bound_to_a_customer_is_pushed_when_asked(
    app, client, admin, push_service, make_product
):
    watching = subscribe(admin, push_service, link_viewed=True)
    subscribe(admin, push_service)  # 열람 is off until asked for
    bound_id, bound = make_product(name="김규섭 고객님 결제창", listed=False, customer_name="김규섭",
                                   customer_phone="01012345678")  # fmt: skip
    _, unbound = make_product(name="누구나 결제창", listed=False)
    visitor = app.test_client()
    for token in (bound, bound, unbound):
        assert beacon(visitor, token).status_code == 204
    push_service.wait_for(1)
    settle(push_service, app)
    ((device, payload),) = push_service.delivered()
    assert device is watching and payload["title"] == "열람"
    assert payload["body"] == "김규섭 고객님 결제창 링크가 열렸습니다"
    assert payload["url"] == f"/admin/products/{bound_id}/edit"
    assert "01012345678" not in str(payload)


def test_switches_are_kept_when_the_browser_subscribes_again(app, admin, push_service):
    device = subscribe(admin, push_service, card_paid=False)
    assert json_post(admin, "/admin/push/subscriptions", device.subscription).status_code == 201
    with app.app_context():
        (row,) = db.session.scalars(sa.select(PushSubscription)).all()
        assert row.card_paid is False and row.order_placed is True and row.device == ""


# -- the panel, the key, and who may change what ------------------------------------------------------


def test_the_vapid_key_is_made_once_and_kept_in_the_database(app, admin, tmp_path):
    first = json_post(admin, "/admin/push/key").json["publicKey"]
    assert json_post(admin, "/admin/push/key").json["publicKey"] == first
    with app.app_context():
        (key,) = db.session.scalars(sa.select(VapidKey)).all()
    assert key.public_key == first and len(push._unb64url(first)) == 65
    files = [p for p in tmp_path.rglob("*") if p.is_file() and ".sqlite" not in p.name]
    assert not any(first in p.read_text(errors="ignore") for p in files)  # only in the database


def test_the_home_page_lists_this_merchants_devices_with_their_switches(app, admin, push_service):
    subscribe(admin, push_service, link_viewed=True, card_paid=False)
    page = admin._client.get("/admin/").get_data(as_text=True)
    assert "알림 받기" in page and "알림 끄기" in page and "홈 화면" in page
    assert "Android · Chrome" in page and 'data-push-device="' in page
    subscription_id = device_id(app, next(iter(push_service.devices.values())))
    assert switched_on(page, subscription_id, "link_viewed") and not switched_on(page, subscription_id, "card_paid")
    assert 'rel="manifest"' in page and "js/push.js" in page


@pytest.mark.parametrize("url", ["/admin/push/key", "/admin/push/subscriptions", "/admin/push/subscriptions/forget",
                                 "/admin/push/devices/events", "/admin/push/devices/remove"])  # fmt: skip
def test_push_endpoints_need_a_login(client, url):
    response = client.post(url, json={})
    assert response.status_code in (302, 400) and response.status_code != 200


def test_push_endpoints_refuse_a_missing_csrf_token(app, admin, push_service):
    device = push_service.device()
    assert json_post(admin, "/admin/push/key", **{"X-CSRFToken": ""}).status_code == 400
    assert json_post(admin, "/admin/push/subscriptions", device.subscription, **{"X-CSRFToken": ""}).status_code == 400
    subscribe(admin, push_service)
    subscription_id = device_id(app, list(push_service.devices.values())[-1])
    assert admin._client.post("/admin/push/devices/remove", data={"device": subscription_id}).status_code == 400
    forget = {"endpoint": list(push_service.devices.values())[-1].endpoint}
    assert json_post(admin, "/admin/push/subscriptions/forget", forget, **{"X-CSRFToken": "x"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 1


def test_a_subscription_that_is_not_one_is_refused(app, admin, push_service):
    good = push_service.device().subscription
    bad = [
        None,
        {"endpoint": good["endpoint"]},
        {**good, "endpoint": "ftp://127.0.0.1/push"},
        {**good, "keys": {"p256dh": "AAAA", "auth": good["keys"]["auth"]}},
        {**good, "keys": {"p256dh": good["keys"]["p256dh"], "auth": "c2hvcnQ"}},
    ]
    for body in bad:
        assert json_post(admin, "/admin/push/subscriptions", body).status_code == 400, body
    app.config["PUSH_ALLOW_HTTP"] = False  # in production the shop only posts to https push services
    assert json_post(admin, "/admin/push/subscriptions", good).status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 0


def test_turning_notifications_off_forgets_the_browser(app, admin, push_service, window):
    device = subscribe(admin, push_service)
    response = json_post(admin, "/admin/push/subscriptions/forget", {"endpoint": device.endpoint})
    assert response.status_code == 200 and response.json == {"subscribed": False}
    place(app.test_client(), window["token"])
    time.sleep(0.3)
    assert push_service.requests == [] and messages(app) == []


def test_another_account_cannot_change_or_remove_a_merchants_device(app, admin, push_service):
    from storefront.auth import add_staff, find_admin

    subscribe(admin, push_service)
    subscription_id = device_id(app, next(iter(push_service.devices.values())))
    with app.app_context():
        add_staff("staff@example.com", "staff password 123", find_admin("owner@example.com"))
        db.session.commit()
    staff = app.test_client()
    from .conftest import AuthActions

    other = AuthActions(staff)
    other.login("staff@example.com", "staff password 123")
    assert other.post("/admin/push/devices/remove", data={"device": subscription_id}).status_code == 404
    assert other.post("/admin/push/devices/events", data={"device": subscription_id}).status_code == 404
    assert admin.post("/admin/push/devices/events", data={"device": "１"}).status_code == 404
    assert f"device-{subscription_id}-" not in staff.get("/admin/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PushSubscription, subscription_id).order_placed is True


def test_a_removed_staff_account_takes_its_devices_with_it(app, admin, push_service, window):
    from storefront.auth import add_staff, find_admin

    from .conftest import AuthActions

    with app.app_context():
        staff_id = add_staff("staff@example.com", "staff password 123", find_admin("owner@example.com")).id
        db.session.commit()
    staff = AuthActions(app.test_client())
    staff.login("staff@example.com", "staff password 123")
    subscribe(staff, push_service)
    assert admin.post(f"/admin/accounts/{staff_id}/remove").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 0
    place(app.test_client(), window["token"])
    time.sleep(0.3)
    assert push_service.requests == []


def test_the_manifest_and_the_service_worker_are_served_without_a_login(client):
    manifest = client.get("/admin/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    body = manifest.json
    assert body["start_url"] == "/admin/" and body["scope"] == "/admin/" and body["display"] == "standalone"
    assert body["name"] == "테스트상점 관리자" and body["short_name"]
    assert {icon["sizes"] for icon in body["icons"]} >= {"192x192", "512x512"}
    for icon in body["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png"
    worker = client.get("/admin/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert "showNotification" in worker.get_data(as_text=True) and "no-cache" in worker.headers["Cache-Control"]


def test_a_device_removed_from_the_list_gets_nothing_more(app, admin, push_service, window):
    device = subscribe(admin, push_service)
    response = admin.post("/admin/push/devices/remove", data={"device": device_id(app, device)})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/#push"
    assert "그 기기로는 더 이상 알림을 보내지 않습니다" in admin._client.get("/admin/").get_data(as_text=True)
    place(app.test_client(), window["token"])
    time.sleep(0.3)
    assert push_service.requests == []
