"""사업자 정보: the check digit, what 상점 설정 says is missing, and the footer of every shop page."""

import re

import pytest

from storefront import business
from storefront.settings import shop_settings

from .builders import BUSINESS_FORM
from .conftest import csrf_from


@pytest.mark.parametrize(
    "number",
    [
        "116-82-00276",  # python-stdnum's example
        "120-81-47521",
        "294-81-01258",
        "1208147521",
        "120 81 47521",
        "120-81-47050",  # check digit 0: copies that forget the last "% 10" reject it
        "120-81-47180",
    ],
)
def test_valid_business_registration_numbers_are_accepted(number):
    assert business.is_valid_brn(number)


@pytest.mark.parametrize(
    "number",
    [
        "116-82-00278",
        "120-81-47522",
        "120-81-4752",
        "120-81-475210",
        "",
        "abcdefghij",
        "１２０８１４７５２１",
        "120_81_47521",
    ],
)
def test_wrong_business_registration_numbers_are_refused(number):
    assert not business.is_valid_brn(number)


def test_registration_number_is_shown_3_2_5_and_links_the_ftc_lookup_with_digits_only():
    assert business.format_brn("1208147521") == "120-81-47521"
    assert business.ftc_lookup_url("120-81-47521") == "https://www.ftc.go.kr/bizCommPop.do?wrkr_no=1208147521"


@pytest.mark.parametrize(
    "value, plausible",
    [
        ("제2015-제주아라-0032호", True),
        ("제 2023-서울강남-04352호", True),
        ("2018-서울송파-0571", True),
        ("2024-12345", False),
        ("신고 준비중", False),
    ],
)
def test_mail_order_report_number_gets_a_loose_check(value, plausible):
    assert business.is_plausible_mail_order_no(value) is plausible


def test_missing_items_name_what_the_footer_still_lacks(app, bank_ready):
    with app.test_request_context():
        missing = [item.field for item in business.missing_items(shop_settings())]
    assert missing == [
        "business_name", "representative", "business_no", "mail_order_no", "business_address", "phone", "email",
        "privacy_officer", "hosting_provider", "escrow_provider",
    ]  # fmt: skip


def test_merchant_fills_business_information_and_settings_stop_asking(app, client, admin):
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "반드시 표시해야 하는 다음 항목이 비어 있습니다" in page and 'href="#business_no"' in page
    response = admin.post("/admin/settings", data=BUSINESS_FORM, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "반드시 표시해야 하는" not in html
    assert 'value="120-81-47521"' in html  # stored as digits, shown 3-2-5
    with app.test_request_context():
        info = shop_settings()
        assert info.business_no == "1208147521" and business.missing_items(info) == []


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"business_no": "120-81-47522"}, "123-45-67890 형식의 올바른 사업자등록번호 10자리를 입력하세요."),
        ({"mail_order_no": "준비중"}, "신고증에 적힌 대로 입력하세요."),
        ({"escrow_url": "javascript:alert(1)"}, "https://로 시작하는 링크를 입력하세요."),
    ],
)
def test_bad_business_information_is_refused_and_the_rest_kept(client, admin, changes, message):
    response = admin.post("/admin/settings", data={**BUSINESS_FORM, **changes})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert "주식회사 규섭커피" in html  # nothing typed is lost


def public_pages(app, token: str) -> list[str]:
    """Every public HTML page of the shop, with real values for its arguments."""
    values = {"category_id": "1", "token": token, "order_no": "000000-AAAAAAAA", "kind": "terms"}
    skip = {"static", "shop.upload", "shop.favicon", "shop.sitemap", "shop.robots", "shop.health", "shop.set_language",
            "shop.checkout_fee", "shop.cart_fee"}  # fmt: skip
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin.") or "GET" not in rule.methods or rule.endpoint in skip:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{name}>", values[name], path)
        urls.append(path)
    return urls


FOOTER_TEXTS = (
    "주식회사 규섭커피", "김규섭", "120-81-47521", "제2024-서울강남-01234호", "서울특별시 강남구 테헤란로 123",
    "02-1234-5678", "help@example.com", "개인정보보호책임자", "아마존웹서비시즈코리아 유한회사",
    "KB국민은행 에스크로", "서비스 가입사실 확인",
)  # fmt: skip


def test_every_shop_page_shows_the_business_information_and_policy_links(app, client, admin, make_product):
    admin.post("/admin/settings", data={**BUSINESS_FORM, "bank_name": "국민은행", "bank_account": "123-456",
                                        "bank_holder": "규섭커피", "escrow_provider": "KB국민은행 에스크로",
                                        "escrow_url": "https://okbfex.kbstar.com/quics?e2e=1"})  # fmt: skip
    _, token = make_product(name="원두")
    visitor = app.test_client()
    product_page = visitor.get(f"/products/{token}").get_data(as_text=True)
    added = {"csrf_token": csrf_from(product_page), "token": token, "quantity": "1", "action": "cart"}
    visitor.post("/cart", data=added)  # so /cart/checkout shows its page
    pages = public_pages(app, token)
    assert "/policies/terms" in pages and "/orders/lookup" in pages and f"/products/{token}/buy" in pages
    for url in pages:
        html = visitor.get(url).get_data(as_text=True)
        footer = html[html.index('<footer class="shop-footer">') :]
        for text in FOOTER_TEXTS:
            assert text in footer, (url, text)
        assert 'href="https://www.ftc.go.kr/bizCommPop.do?wrkr_no=1208147521"' in footer, url
        for link in ("/policies/terms", "/policies/privacy", "/policies/refund", "/orders/lookup"):
            assert f'href="{link}"' in footer, (url, link)


def test_escrow_notice_appears_beside_bank_transfer_at_checkout(client, admin, make_product):
    bank = {"bank_name": "국민은행", "bank_account": "123-456", "bank_holder": "규섭커피"}
    admin.post("/admin/settings", data={**BUSINESS_FORM, **bank, "escrow_provider": "KB국민은행 에스크로"})
    _, token = make_product()
    html = client.get(f"/products/{token}/buy").get_data(as_text=True)
    start = html.index('class="bank-box"')
    bank_box = html[start : html.index("</div>", start)]
    assert "구매안전서비스(KB국민은행 에스크로)를 이용하실 수 있습니다" in bank_box
