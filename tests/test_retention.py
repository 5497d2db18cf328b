"""flask purge-personal-data: buyers' details go after the retention period; the books stay."""

from datetime import timedelta

import sqlalchemy as sa

from storefront.extensions import db
from storefront.models import Order, OrderItem, utcnow

from .conftest import place

PERSONAL = (
    "buyer_name", "buyer_phone", "buyer_email", "depositor_name", "recipient_name", "recipient_phone",
    "postcode", "address", "address_detail", "delivery_note", "cash_receipt_number",
)  # fmt: skip


def orders_by_age(app) -> list[Order]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Order).options(sa.orm.selectinload(Order.items)).order_by(Order.created_at)
        ).all()
        db.session.expunge_all()
        return list(rows)


def make_orders(app, client, make_product, ages_in_days: list[int]):
    _, token = make_product(price=15000, stock_managed=True, stock_quantity=10)
    for _age in ages_in_days:
        assert place(client, token, quantity="2", cash_receipt_type="income_deduction").status_code == 302
    with app.app_context():
        ids = db.session.scalars(sa.select(Order.id).order_by(Order.id)).all()
        for order_id, age in zip(ids, ages_in_days, strict=True):
            db.session.execute(
                sa.update(Order).where(Order.id == order_id).values(created_at=utcnow() - timedelta(days=age))
            )
        db.session.commit()


def test_old_orders_lose_personal_data_and_keep_amounts_dates_and_statuses(
    app, client, runner, bank_ready, make_product
):
    make_orders(app, client, make_product, [6 * 365, 10])
    before = orders_by_age(app)
    result = runner.invoke(args=["purge-personal-data"])
    assert result.exit_code == 0 and "Erased the personal data of 1 order(s)" in result.output
    old, recent = orders_by_age(app)
    for name in PERSONAL:
        assert getattr(old, name) == "", name
        assert getattr(recent, name) == getattr(before[1], name), name
    assert old.personal_data_purged_at is not None and recent.personal_data_purged_at is None
    assert (old.total_amount, old.status, old.created_at, old.order_no) == (
        before[0].total_amount, before[0].status, before[0].created_at, before[0].order_no
    )  # fmt: skip
    assert [(i.product_name, i.quantity, i.line_total) for i in old.items] == [("테스트 상품", 2, 30000)]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.sum(OrderItem.line_total))) == 60000
    again = runner.invoke(args=["purge-personal-data"])
    assert "Erased the personal data of 0 order(s)" in again.output


def test_dry_run_changes_nothing(app, client, runner, bank_ready, make_product):
    make_orders(app, client, make_product, [6 * 365])
    result = runner.invoke(args=["purge-personal-data", "--dry-run"])
    assert "Would erase the personal data of 1 order(s)" in result.output
    assert orders_by_age(app)[0].buyer_name == "김규섭"


def test_retention_period_is_configurable(app, client, runner, bank_ready, make_product):
    make_orders(app, client, make_product, [2 * 365 + 10, 10])
    assert "of 0 order(s)" in runner.invoke(args=["purge-personal-data"]).output
    assert "of 1 order(s)" in runner.invoke(args=["purge-personal-data", "--years", "2"]).output
    app.config["PERSONAL_DATA_RETENTION_YEARS"] = 1
    assert "of 0 order(s)" in runner.invoke(args=["purge-personal-data"]).output  # the 10-day-old one stays
    assert runner.invoke(args=["purge-personal-data", "--years", "0"]).exit_code != 0


def test_admin_page_of_a_purged_order_says_so(app, client, admin, runner, bank_ready, make_product):
    make_orders(app, client, make_product, [6 * 365])
    runner.invoke(args=["purge-personal-data"])
    order = orders_by_age(app)[0]
    page = client.get(f"/admin/orders/{order.id}")
    assert page.status_code == 200 and "구매자의 개인정보를 파기했습니다" in page.get_data(as_text=True)
