"""현금영수증 for bank transfers: asked at checkout, shown and exported, issued by hand or through Toss."""

import csv
import io

import pytest
import sqlalchemy as sa

from storefront.extensions import db
from storefront.models import CashReceiptType, Notification, Order, OrderEvent

from .builders import export_orders
from .conftest import place


def only_order(app) -> Order:
    with app.app_context():
        order = db.session.scalar(sa.select(Order))
        db.session.expunge(order)
        return order


@pytest.mark.parametrize(
    "fields, kind, number",
    [
        ({}, CashReceiptType.NONE, ""),
        ({"cash_receipt_type": "income_deduction"}, CashReceiptType.INCOME_DEDUCTION, "01012345678"),
        (
            {"cash_receipt_type": "income_deduction", "cash_receipt_phone": "010 9876 5432"},
            CashReceiptType.INCOME_DEDUCTION,
            "01098765432",
        ),
        (
            {"cash_receipt_type": "expense_proof", "cash_receipt_business_no": "120-81-47050"},
            CashReceiptType.EXPENSE_PROOF,
            "1208147050",
        ),
    ],
)
def test_buyer_asks_for_a_cash_receipt_at_checkout(app, client, bank_ready, make_product, fields, kind, number):
    _, token = make_product()
    response = place(client, token, **fields)
    assert response.status_code == 302
    order = only_order(app)
    assert order.cash_receipt_type is kind and order.cash_receipt_number == number


@pytest.mark.parametrize(
    "fields, message",
    [
        (
            {"cash_receipt_type": "expense_proof", "cash_receipt_business_no": "120-81-47051"},
            "123-45-67890 형식의 올바른 사업자등록번호 10자리를 입력하세요.",
        ),
        ({"cash_receipt_type": "expense_proof", "cash_receipt_business_no": ""}, "올바른 사업자등록번호 10자리를"),
        (
            {"cash_receipt_type": "income_deduction", "cash_receipt_phone": "02-123-4567"},
            "010-1234-5678 형식의 휴대폰 번호를 입력하세요.",
        ),
        ({"cash_receipt_type": "paper"}, "현금영수증 신청 여부를 선택하세요."),
    ],
)
def test_bad_cash_receipt_details_are_refused_beside_the_field(app, client, bank_ready, make_product, fields, message):
    _, token = make_product()
    response = place(client, token, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_card_orders_carry_no_cash_receipt_request(app, client, toss, make_product):
    _, token = make_product()
    response = place(client, token, payment_method="card", cash_receipt_type="expense_proof",
                     cash_receipt_business_no="bad")  # fmt: skip
    assert response.status_code == 302
    assert only_order(app).cash_receipt_type is CashReceiptType.NONE


def test_request_is_shown_to_buyer_and_merchant_and_exported(app, client, admin, bank_ready, make_product):
    _, token = make_product()
    location = place(client, token, cash_receipt_type="expense_proof", cash_receipt_business_no="1208147521").headers[
        "Location"
    ]
    assert "지출증빙용 (사업자등록번호) · 120-81-47521" in client.get(location).get_data(as_text=True)
    order = only_order(app)
    assert "지출증빙용 (사업자등록번호)" in client.get("/admin/orders").get_data(as_text=True)
    detail = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert "120-81-47521" in detail and "발급 완료 처리" not in detail  # not paid yet
    text = export_orders(admin).get_data().decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["현금영수증"] == "지출증빙용 (사업자등록번호)"
    assert row["현금영수증 발급 번호"] == "120-81-47521" and row["현금영수증 발급일시"] == ""


def test_merchant_marks_the_receipt_issued_once(app, client, admin, bank_ready, make_product):
    _, token = make_product()
    place(client, token, cash_receipt_type="income_deduction")
    order = only_order(app)
    admin.post(f"/admin/orders/{order.id}/paid")
    assert "발급 완료 처리" in client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    first = admin.post(f"/admin/orders/{order.id}/cash-receipt", follow_redirects=True)
    assert "현금영수증을 발급 완료로 표시했습니다." in first.get_data(as_text=True)
    second = admin.post(f"/admin/orders/{order.id}/cash-receipt", follow_redirects=True)
    assert "발급 완료로 표시할 현금영수증이 없습니다" in second.get_data(as_text=True)
    assert only_order(app).cash_receipt_issued_at is not None
    with app.app_context():
        notes = db.session.scalars(sa.select(OrderEvent.note).where(OrderEvent.order_id == order.id)).all()
    assert notes.count("cash_receipt_issued") == 1
    csv_row = export_orders(admin).get_data().decode("utf-8-sig").splitlines()[1]
    assert ",소득공제용 (휴대폰 번호),010-1234-5678,20" in csv_row


@pytest.mark.parametrize("price, reminded", [(100000, True), (99999, False)])
def test_a_large_cash_payment_without_a_request_reminds_the_merchant(
    app, client, admin, bank_ready, make_product, price, reminded
):
    _, token = make_product(price=price)
    place(client, token)
    order = only_order(app)
    reminder = "국세청 지정번호(010-000-1234)로 현금영수증을 발급해야 합니다"
    assert reminder not in client.get(f"/admin/orders/{order.id}").get_data(as_text=True)  # not paid yet
    admin.post(f"/admin/orders/{order.id}/paid")
    assert (reminder in client.get(f"/admin/orders/{order.id}").get_data(as_text=True)) is reminded
    if reminded:
        admin.post(f"/admin/orders/{order.id}/cash-receipt")
        assert reminder not in client.get(f"/admin/orders/{order.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "fields, toss_type, identity",
    [
        ({"cash_receipt_type": "income_deduction"}, "소득공제", "01012345678"),
        ({"cash_receipt_type": "expense_proof", "cash_receipt_business_no": "120-81-47521"}, "지출증빙", "1208147521"),
        ({}, "소득공제", "0100001234"),  # nobody asked and it is 100,000원 or more: the tax office's number
    ],
)
def test_receipt_is_issued_through_toss_when_keys_are_set(
    app, client, admin, bank_ready, toss, make_product, fields, toss_type, identity
):
    _, token = make_product(name="케냐 AA 원두", price=120000)
    place(client, token, **fields)
    order = only_order(app)
    admin.post(f"/admin/orders/{order.id}/paid")
    assert "토스페이먼츠로 발급" in client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    response = admin.post(f"/admin/orders/{order.id}/cash-receipt/toss", follow_redirects=True)
    assert "토스페이먼츠로 현금영수증 발급을 요청했습니다" in response.get_data(as_text=True)
    [receipt] = toss.cash_receipts.values()
    assert receipt["type"] == toss_type and receipt["customerIdentityNumber"] == identity
    assert (
        receipt["amount"] == 120000 and receipt["orderId"] == order.order_no and receipt["orderName"] == "케냐 AA 원두"
    )
    issued = only_order(app)
    assert issued.cash_receipt_key == receipt["receiptKey"] and issued.cash_receipt_url == receipt["receiptUrl"]
    # A second click issues nothing more.
    admin.post(f"/admin/orders/{order.id}/cash-receipt/toss")
    assert len(toss.cash_receipts) == 1


def test_a_refused_toss_issue_says_why_and_leaves_the_receipt_due(app, client, admin, bank_ready, toss, make_product):
    _, token = make_product(price=120000)
    place(client, token, cash_receipt_type="income_deduction")
    order = only_order(app)
    admin.post(f"/admin/orders/{order.id}/paid")
    toss.cash_receipts["crk_other"] = {"orderId": order.order_no}  # already issued elsewhere
    response = admin.post(f"/admin/orders/{order.id}/cash-receipt/toss", follow_redirects=True)
    assert "현금영수증을 발급하지 못했습니다: 이미 발급된 현금영수증입니다." in response.get_data(as_text=True)
    assert only_order(app).cash_receipt_issued_at is None


def _paid_transfer(app, client, admin, make_product, price=120000, **fields) -> Order:
    _, token = make_product(name="케냐 AA 원두", price=price)
    place(client, token, **fields)
    order = only_order(app)
    admin.post(f"/admin/orders/{order.id}/paid")
    return order


REFUND_ACCOUNT = {"refund_bank": "신한은행", "refund_account": "110-123-456789", "refund_holder": "김규섭"}


def test_a_receipt_after_a_partial_refund_is_for_what_the_buyer_finally_paid(
    app, client, admin, bank_ready, toss, make_product
):
    order = _paid_transfer(app, client, admin, make_product, cash_receipt_type="income_deduction")
    admin.refund(order.id, amount="20,000", **REFUND_ACCOUNT)
    admin.post(f"/admin/orders/{order.id}/cash-receipt/toss")
    assert [body["amount"] for body in toss.receipt_requests] == [100000]
    admin.post(f"/admin/orders/{order.id}/cash-receipt")  # nothing more to mark
    assert only_order(app).cash_receipt_amount == 100000


def test_the_tax_office_answer_is_looked_up_by_the_cron_job(app, client, admin, runner, bank_ready, toss, make_product):
    order = _paid_transfer(app, client, admin, make_product, cash_receipt_type="income_deduction")
    admin.post(f"/admin/orders/{order.id}/cash-receipt/toss")
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert "발급 요청 (국세청 처리 대기)" in page and "발급 완료 처리" not in page
    runner.invoke(args=["expire-orders"])
    assert only_order(app).cash_receipt_status == "requested"  # no answer yet
    toss.settle_cash_receipt(only_order(app).cash_receipt_key, "COMPLETED")
    assert "1 cash receipt(s) answered" in runner.invoke(args=["expire-orders"]).output
    assert only_order(app).cash_receipt_status == "issued"
    assert "발급 완료 · 120,000원" in client.get(f"/admin/orders/{order.id}").get_data(as_text=True)


def test_a_receipt_the_tax_office_refused_comes_back_to_the_merchant(
    app, client, admin, runner, bank_ready, toss, make_product
):
    order = _paid_transfer(app, client, admin, make_product, cash_receipt_type="income_deduction")
    admin.post(f"/admin/orders/{order.id}/cash-receipt/toss")
    toss.settle_cash_receipt(only_order(app).cash_receipt_key, "FAILED", "유효하지 않은 휴대폰 번호입니다.")
    runner.invoke(args=["expire-orders"])
    failed = only_order(app)
    assert failed.cash_receipt_status == "failed" and failed.cash_receipt_issued_at is None
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert "국세청이 현금영수증을 발급하지 않았습니다: 유효하지 않은 휴대폰 번호입니다." in page
    assert "토스페이먼츠로 발급" in page  # due again
    with app.app_context():
        kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.order_id == order.id)).all()
    assert "cash_receipt_failed" in kinds
    admin.post(f"/admin/orders/{order.id}/cash-receipt/toss")  # a new request, not the first answer replayed
    assert len(toss.receipt_requests) == 2 and only_order(app).cash_receipt_key != failed.cash_receipt_key


def test_a_refund_after_a_toss_receipt_cancels_the_refunded_part(app, client, admin, bank_ready, toss, make_product):
    order = _paid_transfer(app, client, admin, make_product, cash_receipt_type="income_deduction")
    admin.post(f"/admin/orders/{order.id}/cash-receipt/toss")
    key = only_order(app).cash_receipt_key
    admin.refund(order.id, amount="20,000", **REFUND_ACCOUNT)
    assert toss.receipt_cancels == [(key, 20000)] and only_order(app).cash_receipt_amount == 100000
    admin.refund(order.id, amount="100,000", **REFUND_ACCOUNT)
    assert toss.receipt_cancels == [(key, 20000), (key, 100000)]
    assert only_order(app).cash_receipt_status == "cancelled"


def test_a_refund_after_a_hometax_receipt_tells_the_merchant_to_cancel_it_there(
    app, client, admin, bank_ready, make_product
):
    order = _paid_transfer(app, client, admin, make_product, cash_receipt_type="income_deduction")
    admin.post(f"/admin/orders/{order.id}/cash-receipt")  # issued at Hometax, marked here
    refunded = admin.refund(order.id, amount="20,000", follow_redirects=True, **REFUND_ACCOUNT)
    page = refunded.get_data(as_text=True)
    assert "홈택스" in page and "20,000원" in page
    done = admin.post(f"/admin/orders/{order.id}/cash-receipt/cancelled", follow_redirects=True)
    assert "환불된 만큼 현금영수증을 취소했습니다" in done.get_data(as_text=True)
    assert only_order(app).cash_receipt_amount == 100000
    assert "직접 취소했습니다" not in client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
