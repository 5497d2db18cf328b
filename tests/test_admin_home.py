"""관리자 홈 (시작하기, today's figures, links by state) and the banner while customers cannot pay."""

import re
from datetime import timedelta

import sqlalchemy as sa

from storefront import clock, dashboard
from storefront.extensions import db
from storefront.models import DisplayStatus, Order

from .conftest import place

BANNER = "아직 고객이 결제할 수 없습니다."


def checklist(html: str) -> dict[str, bool]:
    """Each 시작하기 step: done or not."""
    items = re.findall(r'<li class="step-(done|todo)">.*?<a href="[^"]*">([^<]+)</a>', html, re.S)
    return {label: state == "done" for state, label in items}


def test_checklist_of_a_fresh_shop_says_what_is_missing_and_where(client, admin):
    html = client.get("/admin/").get_data(as_text=True)
    assert checklist(html) == {
        "상점 정보": False,
        "사업자 정보": False,
        "결제 수단 (입금 계좌 또는 카드)": False,
        "첫 개인결제창": False,
    }
    assert 'href="/admin/settings#bank-transfer">결제 수단' in html
    assert 'href="/admin/products/new">첫 개인결제창' in html


def test_checklist_ticks_each_step_when_done(client, admin, make_product):
    settings_form = {"name": "규섭커피", "phone": "02-1234-5678", "payment_due_days": "3"}
    admin.post("/admin/settings", data=settings_form)
    assert checklist(client.get("/admin/").get_data(as_text=True))["상점 정보"] is True
    admin.post("/admin/settings", data={**settings_form, "email": "help@example.com"})
    assert checklist(client.get("/admin/").get_data(as_text=True))["사업자 정보"] is False
    business = {
        "email": "help@example.com",
        "business_name": "규섭커피",
        "representative": "김규섭",
        "business_no": "120-81-47050",
        "mail_order_no": "제2024-서울강남-01234호",
        "business_address": "서울특별시 강남구 테헤란로 123",
        "privacy_officer": "김규섭",
        "hosting_provider": "가비아",
    }
    admin.post("/admin/settings", data={**settings_form, **business})
    assert checklist(client.get("/admin/").get_data(as_text=True))["사업자 정보"] is True
    # Taking bank transfers, the shop must also name its 구매안전서비스.
    bank = {"bank_name": "국민은행", "bank_account": "123456-01-234567", "bank_holder": "규섭커피"}
    admin.post("/admin/settings", data={**settings_form, **business, **bank})
    assert checklist(client.get("/admin/").get_data(as_text=True))["사업자 정보"] is False
    escrow = {"escrow_provider": "KB국민은행 에스크로", "escrow_url": "https://okbfex.kbstar.com/quics?page=C021590"}
    admin.post("/admin/settings", data={**settings_form, **business, **bank, **escrow})
    make_product(name="김규섭 고객님 개인결제창", listed=False)
    html = client.get("/admin/").get_data(as_text=True)
    assert all(checklist(html).values())
    assert "상점 준비가 끝났습니다" in html


def test_banner_on_every_admin_page_until_a_payment_method_is_set(app, client, admin, make_product):
    product_id, _ = make_product(listed=False)
    pages = ["/admin/", "/admin/products", "/admin/categories", "/admin/orders", "/admin/settings",
             f"/admin/products/{product_id}/edit", "/admin/password"]  # fmt: skip
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert BANNER in html and 'href="/admin/settings#bank-transfer"' in html, url
    for url in (f"/admin/products/{product_id}/edit", "/admin/products"):
        assert "아직 이 링크로 결제할 수 없습니다." in client.get(url).get_data(as_text=True), url
    admin.post(
        "/admin/settings",
        data={"name": "규섭커피", "payment_due_days": "3",
              "bank_name": "국민은행", "bank_account": "123456-01-234567", "bank_holder": "규섭커피"},
    )  # fmt: skip
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert BANNER not in html and "아직 이 링크로 결제할 수 없습니다." not in html, url


def test_card_keys_alone_make_the_shop_payable(app, client, admin):
    app.config.update(TOSS_CLIENT_KEY="test_ck_x", TOSS_SECRET_KEY="test_sk_x")
    assert BANNER not in client.get("/admin/").get_data(as_text=True)


def test_customer_page_shows_the_contact_instead_of_a_form_that_cannot_be_sent(app, client, make_product):
    from storefront.settings import save_settings

    with app.test_request_context():
        save_settings({"phone": "02-1234-5678", "email": "help@example.com"})
        db.session.commit()
    _, token = make_product(name="김규섭 고객님 개인결제창", listed=False)
    html = client.get(f"/products/{token}").get_data(as_text=True)
    assert "이 상점은 아직 결제를 받지 않습니다." in html
    assert 'href="tel:02-1234-5678"' in html and 'href="mailto:help@example.com"' in html
    assert f"/products/{token}/buy" not in html
    checkout = client.get(f"/products/{token}/buy")
    assert checkout.status_code == 503 and "<form" not in checkout.get_data(as_text=True).split("</header>", 1)[1]


def test_todays_figures(app, client, admin, bank_ready, make_product):
    _, token = make_product(price=12000)
    _, window = make_product(price=30000, listed=False, requires_shipping=True)
    place(client, token)
    place(client, window)
    with app.app_context():
        first = db.session.scalar(sa.select(Order.id).order_by(Order.id))
    admin.post(f"/admin/orders/{first}/paid")
    figures = client.get("/admin/").get_data(as_text=True)
    assert re.search(r"새 주문</dt><dd><a [^>]+>주문 2건", figures)
    assert re.search(r"입금 대기</dt><dd><a [^>]+>주문 1건</a>\s*<span class=\"muted\">30,000원", figures)
    assert re.search(r"배송할 주문</dt><dd><a [^>]+>주문 1건", figures)


def test_an_order_from_yesterday_is_not_new_today(app, client, bank_ready, make_product):
    _, token = make_product()
    place(client, token)
    with app.app_context():
        db.session.execute(sa.update(Order).values(created_at=clock.start_of_day() - timedelta(minutes=1)))
        db.session.commit()
        figures = dashboard.todays_figures()
    assert figures.new_orders == 0 and figures.awaiting_deposit == 1


def test_links_by_state_are_counted_and_listed(app, client, admin, make_product):
    make_product(name="열린 링크", listed=False)
    make_product(name="품절 링크", listed=False, stock_managed=True, stock_quantity=0)
    make_product(name="닫힌 링크", listed=False, display_status=DisplayStatus.HIDDEN)
    make_product(name="진열 상품")
    html = client.get("/admin/").get_data(as_text=True)
    for label, state, n in (("판매중", "on_sale", 1), ("열람됨", "viewed", 0), ("종료", "ended", 2)):
        link = rf'<a href="/admin/products\?link_status={state}&amp;listed=no">{n}개'
        assert re.search(rf"{label}</dt><dd>{link}", html), label
    ended = client.get("/admin/products?link_status=ended&listed=no").get_data(as_text=True)
    assert "품절 링크" in ended and "닫힌 링크" in ended and "열린 링크" not in ended
    on_sale = client.get("/admin/products?link_status=on_sale&listed=no").get_data(as_text=True)
    assert "열린 링크" in on_sale and "품절 링크" not in on_sale and "진열 상품" not in on_sale
