"""Date rules at the hours that break them, on every database: instant × rule → expected.

The shop's clock is frozen with time-machine at each instant (given on the Korean clock, the way
a merchant reads it); the database holds UTC. Between 00:00 and 09:00 KST the UTC date is still
yesterday's, which is where a rule that mixes the two clocks goes wrong.
"""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from storefront import clock, dashboard, lifecycle, retention
from storefront.clock import KST
from storefront.extensions import db
from storefront.models import SYSTEM, Order, OrderStatus

from .builders import export_orders
from .conftest import place

# Korean wall-clock instant → the date that 새 주문 "today", order numbers and exports go by.
INSTANTS = {
    "00:30 KST, 15:30 UTC the day before": (datetime(2027, 3, 10, 0, 30, tzinfo=KST), "270310"),
    "08:59 KST, UTC still the day before": (datetime(2027, 3, 10, 8, 59, tzinfo=KST), "270310"),
    "09:00 KST, UTC midnight": (datetime(2027, 3, 10, 9, 0, tzinfo=KST), "270310"),
    "23:59 KST": (datetime(2027, 3, 10, 23, 59, tzinfo=KST), "270310"),
    "00:30 KST on the 1st, UTC on the last day of February": (datetime(2027, 3, 1, 0, 30, tzinfo=KST), "270301"),
    "23:59 KST on the last day of a month": (datetime(2027, 2, 28, 23, 59, tzinfo=KST), "270228"),
    "00:30 KST on 01-01, UTC still 12-31": (datetime(2027, 1, 1, 0, 30, tzinfo=KST), "270101"),
    "23:59 KST on 12-31": (datetime(2026, 12, 31, 23, 59, tzinfo=KST), "261231"),
}


@pytest.fixture(params=list(INSTANTS), ids=list(INSTANTS))
def instant(request):
    return INSTANTS[request.param]


def frozen(moment: datetime):
    return time_machine.travel(moment, tick=False)


def _order(app, order_no: str) -> Order:
    with app.app_context():
        order = db.session.scalar(sa.select(Order).where(Order.order_no == order_no))
        db.session.expunge(order)
        return order


def _place_at(client, token, moment: datetime) -> str:
    with frozen(moment):
        response = place(client, token)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"].split("/orders/")[1].split("?")[0]


def test_new_orders_today_and_the_date_in_order_numbers(app, client, bank_ready, make_product, instant):
    now, local_date = instant
    _, token = make_product(price=12000)
    midnight = datetime.combine(now.astimezone(KST).date(), datetime.min.time(), tzinfo=KST)
    yesterday = _place_at(client, token, midnight - timedelta(minutes=1))
    first_of_today = _place_at(client, token, midnight)
    just_now = _place_at(client, token, now)
    assert just_now.startswith(local_date + "-") and first_of_today.startswith(local_date + "-")
    assert not yesterday.startswith(local_date)
    with app.app_context(), frozen(now):
        figures = dashboard.todays_figures()
    assert figures.new_orders == 2  # midnight and now, not 23:59 of the day before
    assert figures.awaiting_deposit == 3


def test_the_export_is_named_after_the_day_on_the_shop_clock(app, client, auth, instant):
    now, local_date = instant
    with frozen(now):
        auth.login()
        response = export_orders(auth)
    assert f'filename="orders-20{local_date}.csv"' in response.headers["Content-Disposition"]


def test_deposit_deadline_and_its_extension(app, client, bank_ready, make_product, instant):
    now, _ = instant
    _, token = make_product()
    order_no = _place_at(client, token, now)
    deadline = now + timedelta(days=3)  # 입금 기한: 3 days, the shop's default
    order = _order(app, order_no)
    assert order.expires_at == deadline
    with app.app_context():
        with frozen(deadline - timedelta(seconds=1)):
            assert lifecycle.expire_due() == []
        with frozen(deadline - timedelta(minutes=1)):
            order = db.session.get(Order, order.id)
            assert lifecycle.extend_deadline(order, 2, SYSTEM)  # 입금 기한 연장: two more days
            db.session.commit()
        with frozen(deadline + timedelta(days=2) - timedelta(seconds=1)):
            assert lifecycle.expire_due() == []
        with frozen(deadline + timedelta(days=2)):
            assert len(lifecycle.expire_due()) == 1
            db.session.commit()
    assert _order(app, order_no).status is OrderStatus.CANCELLED


def test_the_deadline_is_shown_on_the_korean_clock(app, client, bank_ready, make_product, instant):
    now, _ = instant
    _, token = make_product()
    with frozen(now):
        response = place(client, token)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{(now + timedelta(days=3)).astimezone(KST):%Y-%m-%d %H:%M}" in page


def test_a_sale_end_typed_in_korean_time_ends_the_kept_page_then(app, client, auth, bank_ready, make_product, instant):
    now, _ = instant
    product_id, token = make_product(name="오늘만 특가")
    ends = now + timedelta(minutes=1)
    form = {
        "category_id": "0", "name": "오늘만 특가", "price": "12,000", "display_status": "displayed",
        "show_on_desktop": "y", "show_on_mobile": "y", "listed": "yes", "requires_shipping": "yes",
        "stock_managed": "off",
        "sale_ends_at": f"{ends.astimezone(KST):%Y-%m-%dT%H:%M}",  # what the merchant types, in Korean time
        "action": "save",
    }  # fmt: skip
    with frozen(now):
        auth.login()  # at the frozen time: the login and its CSRF token are as old as they look
        saved = auth.post(f"/admin/products/{product_id}/edit", data=form)
        assert saved.status_code == 302, saved.get_data(as_text=True)
        assert "바로 구매" in client.get(f"/products/{token}").get_data(as_text=True)
    with frozen(ends - timedelta(seconds=1)):
        assert "바로 구매" in client.get(f"/products/{token}").get_data(as_text=True)  # the kept page
    with frozen(ends):
        ended = client.get(f"/products/{token}").get_data(as_text=True)
    assert "바로 구매" not in ended and "판매가 종료된 상품입니다" in ended


def test_purge_cutoff_counts_calendar_years_on_the_korean_clock(app, client, bank_ready, make_product, instant):
    now, _ = instant
    _, token = make_product()
    local = now.astimezone(KST)
    years_ago = local.replace(year=local.year - 5)  # no 29 February among the instants
    older = _place_at(client, token, years_ago - timedelta(seconds=1))
    kept = _place_at(client, token, years_ago)
    with app.app_context(), frozen(now):
        assert retention.cutoff(5) == years_ago
        assert retention.purge_personal_data(retention.cutoff(5)) == 1
        db.session.commit()
    assert _order(app, older).buyer_name == "" and _order(app, kept).buyer_name == "김규섭"


def test_start_of_day_is_a_utc_instant(instant):
    now, _ = instant
    start = clock.start_of_day(now)
    assert start.utcoffset() == timedelta(0)
    assert start.astimezone(KST).date() == now.astimezone(KST).date()
    assert start.astimezone(KST).time() == datetime.min.time()


def test_every_time_column_stores_and_binds_utc(app):
    time_columns = [
        column
        for table in db.metadata.sorted_tables
        for column in table.columns
        if column.type._type_affinity is sa.DateTime
    ]
    assert len(time_columns) > 20
    assert [c for c in time_columns if not isinstance(c.type, clock.UTCDateTime)] == []
