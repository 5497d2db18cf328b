"""Policy pages the merchant edits (each version kept) and the two separate checkout consents."""

import re

import pytest
import sqlalchemy as sa

from storefront.extensions import db
from storefront.models import Order, PolicyKind, PolicyVersion

from .builders import BUSINESS_FORM
from .conftest import place


def order_consents(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                Order.collection_consent_id, Order.terms_consent_id, Order.refund_consent_id, Order.consented_at
            ).order_by(Order.id)
        ).all()
        return [tuple(row) for row in rows]


def version_body(app, version_id) -> str:
    with app.app_context():
        return db.session.get(PolicyVersion, version_id).body


def test_checkout_asks_two_separate_consents_never_ticked(client, bank_ready, make_product):
    _, token = make_product()
    html = client.get(f"/products/{token}/buy").get_data(as_text=True)
    for name, label in (
        ("agree_collection", "[필수] 개인정보 수집·이용 동의"),
        ("agree_terms", "[필수] 구매조건 확인 및 결제 진행 동의"),
    ):
        box = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'type="checkbox"' in box and "checked" not in box
        assert label in html
    # 목적, 항목, 보유 기간 and the right to refuse, readable behind 보기 without scripts.
    notice = html[html.index('<details class="consent-text">') : html.index("</details>")]
    for words in (
        "수집·이용 목적",
        "수집 항목",
        "보유 및 이용 기간",
        "동의하지 않을 수 있습니다",
        "주문과 결제를 진행할 수 없습니다",
    ):
        assert words in notice
    for link in ("/policies/terms", "/policies/refund", "/policies/privacy"):
        assert f'href="{link}"' in html[html.index('class="consents"') :]
    assert "주문 내용을 확인했으며 결제에 동의합니다" not in html


@pytest.mark.parametrize(
    "missing, shown, not_shown",
    [
        (
            ["agree_collection"],
            ["개인정보 수집·이용에 동의해 주세요."],
            ["구매조건 확인 및 결제 진행에 동의해 주세요."],
        ),
        (["agree_terms"], ["구매조건 확인 및 결제 진행에 동의해 주세요."], ["개인정보 수집·이용에 동의해 주세요."]),
        (
            ["agree_collection", "agree_terms"],
            ["개인정보 수집·이용에 동의해 주세요.", "구매조건 확인 및 결제 진행에 동의해 주세요."],
            [],
        ),
    ],
)
def test_each_consent_is_required_with_its_own_message(
    app, client, bank_ready, make_product, missing, shown, not_shown
):
    _, token = make_product()
    response = place(client, token, **{name: None for name in missing})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in shown:
        assert message in html
    for message in not_shown:
        assert message not in html
    assert 'value="서울특별시 강남구 테헤란로 123"' in html  # the rest of the form is kept
    assert order_consents(app) == []


def test_order_records_the_texts_agreed_to_and_keeps_them_after_an_edit(app, client, admin, bank_ready, make_product):
    admin.post("/admin/settings", data={**BUSINESS_FORM, "bank_name": "국민은행", "bank_account": "123-456",
                                        "bank_holder": "규섭커피"})  # fmt: skip
    _, token = make_product(stock_managed=True, stock_quantity=5)
    assert place(client, token).status_code == 302
    [(collection, terms, refund, agreed_at)] = order_consents(app)
    assert agreed_at is not None
    assert "주식회사 규섭커피" in version_body(app, terms)  # the default, written from 사업자 정보
    assert "보유 및 이용 기간" in version_body(app, collection)
    assert "7일 이내" in version_body(app, refund)

    # A second order under the same texts points at the same versions: nothing is stored twice.
    assert place(client, token).status_code == 302
    assert order_consents(app)[1][:3] == (collection, terms, refund)

    response = admin.post("/admin/policies/terms", data={"body": "제1조 (목적)\n새 약관입니다."}, follow_redirects=True)
    assert "새 버전을 저장했습니다." in response.get_data(as_text=True)
    assert place(client, token).status_code == 302
    third = order_consents(app)[2]
    assert third[1] != terms and version_body(app, third[1]) == "제1조 (목적)\n새 약관입니다."
    assert version_body(app, terms) != version_body(app, third[1])  # the first order's text is unchanged
    assert third[0] == collection and third[2] == refund


def test_merchant_edits_a_policy_and_every_saved_version_is_listed_with_its_date(app, client, admin):
    page = client.get("/admin/policies/refund").get_data(as_text=True)
    assert "기본 문구입니다" in page and "3영업일 이내" in page and "7일 이내" in page
    admin.post("/admin/policies/refund", data={"body": "첫 번째 안내"})
    admin.post("/admin/policies/refund", data={"body": "두 번째 안내"})
    same = admin.post("/admin/policies/refund", data={"body": "두 번째 안내"}, follow_redirects=True)
    assert "바뀐 내용이 없습니다." in same.get_data(as_text=True)
    html = client.get("/admin/policies/refund").get_data(as_text=True)
    assert html.count("<time>") == 2 and "첫 번째 안내" in html and "두 번째 안내" in html
    public = app.test_client().get("/policies/refund")
    assert public.status_code == 200 and "두 번째 안내" in public.get_data(as_text=True)
    assert "첫 번째 안내" not in public.get_data(as_text=True)


def test_empty_policy_is_refused_and_bad_kinds_are_not_found(client, admin):
    response = admin.post("/admin/policies/terms", data={"body": "  "})
    assert response.status_code == 422 and "내용을 입력하세요." in response.get_data(as_text=True)
    assert client.get("/admin/policies/nothing").status_code == 404
    assert client.get("/policies/nothing").status_code == 404


@pytest.mark.parametrize(
    "kind, words",
    [
        ("terms", ["주식회사 규섭커피", "120-81-47521", "제2024-서울강남-01234호"]),
        ("privacy", ["김규섭 (대표)", "아마존웹서비시즈코리아 유한회사", "5년"]),
        ("refund", ["서울특별시 강남구 테헤란로 123", "3영업일", "7일 이내"]),
    ],
)
def test_policy_pages_start_from_defaults_built_from_the_settings(client, admin, kind, words):
    admin.post("/admin/settings", data=BUSINESS_FORM)
    html = client.get(f"/policies/{kind}").get_data(as_text=True)
    for text in words:
        assert text in html


def test_policy_text_is_escaped(app, client, admin):
    admin.post("/admin/policies/terms", data={"body": "<script>alert(1)</script>"})
    html = app.test_client().get("/policies/terms").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_an_order_stores_the_texts_its_consents_cover_and_no_other(app, client, bank_ready, make_product):
    _, token = make_product()
    assert place(client, token).status_code == 302
    with app.app_context():
        kinds = set(db.session.scalars(sa.select(PolicyVersion.kind)))
    assert kinds == {PolicyKind.COLLECTION, PolicyKind.TERMS, PolicyKind.REFUND}
