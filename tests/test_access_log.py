"""개인정보 접속기록: every view, search, download, entry and erasure of buyers' data is recorded,
the owner reads and checks the records, and nobody can change or delete one."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from storefront import access_log, auth
from storefront.clock import KST, local_date, utcnow
from storefront.extensions import db
from storefront.models import AccessAction, AdminLogin, AdminUser, Order, PersonalDataAccess

from .conftest import AuthActions, place

STAFF_EMAIL = "staff@example.com"
STAFF_PASSWORD = "Shop-helper-42"


@pytest.fixture
def staff(app, admin):
    with app.app_context():
        owner = db.session.scalar(sa.select(AdminUser).where(AdminUser.role == "owner"))
        auth.add_staff(STAFF_EMAIL, STAFF_PASSWORD, owner)
        db.session.commit()
    actions = AuthActions(app.test_client())
    assert actions.login(STAFF_EMAIL, STAFF_PASSWORD).status_code == 302
    return actions


@pytest.fixture
def two_orders(app, client, bank_ready, make_product):
    _, token = make_product(name="케냐 원두", price=12000)
    place(client, token)
    place(client, token, buyer_name="남궁민수", buyer_phone="010-9876-4321", recipient_name="남궁민수")
    with app.app_context():
        return list(db.session.scalars(sa.select(Order.order_no).order_by(Order.id)))


def _records(app) -> list[PersonalDataAccess]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(PersonalDataAccess).order_by(PersonalDataAccess.id)))
        db.session.expunge_all()
        return rows


def _order_id(app, order_no):
    with app.app_context():
        return db.session.scalar(sa.select(Order.id).where(Order.order_no == order_no))


def test_staff_opening_an_order_is_recorded_and_the_owner_sees_it(app, client, admin, staff, two_orders):
    first = two_orders[0]
    page = staff._client.get(f"/admin/orders/{_order_id(app, first)}").get_data(as_text=True)
    assert "김규섭" in page and "010-1234-5678" in page  # the order's own page shows the full details
    [entry] = _records(app)
    assert (entry.actor, entry.action, entry.order_numbers, entry.address) == (
        STAFF_EMAIL, AccessAction.VIEW, first, "127.0.0.1"
    )
    assert entry.created_at.microsecond == 0 and utcnow() - entry.created_at < timedelta(minutes=1)
    listing = client.get("/admin/access-log").get_data(as_text=True)
    assert STAFF_EMAIL in listing and first in listing and "127.0.0.1" in listing and "조회" in listing
    filtered = client.get("/admin/access-log", query_string={"action": "download"}).get_data(as_text=True)
    assert first not in filtered


def test_staff_cannot_read_the_access_records(staff):
    for url in ("/admin/access-log", "/admin/access-log/review"):
        assert staff._client.get(url).status_code == 403
    assert staff.post("/admin/access-log/settings", data={"idle_logout_minutes": "480"}).status_code == 403


def test_order_list_masks_buyers_and_a_search_by_name_is_recorded(app, client, admin, two_orders, make_product):
    _, token = make_product(name="과테말라 원두", price=9000)
    place(client, token, buyer_name="김철", depositor_name="김철")
    jeju = "제주특별자치도 제주시 첨단로 242"
    place(client, token, buyer_name="John Smith", depositor_name="John Smith", address=jeju)
    listing = client.get("/admin/orders").get_data(as_text=True)
    for shown in ("김*섭", "남**수", "김*", "J*** ****h", "010-****-5678", "010-****-4321"):
        assert shown in listing
    assert "서울특별시 강남구 테헤란로 ***" in listing and "제주특별자치도 제주시 첨단로 ***" in listing
    for hidden in ("김규섭", "남궁민수", "김철", "John", "Smith", "010-1234-5678", "테헤란로 123", "첨단로 242"):
        assert hidden not in listing
    assert _records(app) == []  # a masked list shows nobody's details: nothing to record
    client.get("/admin/orders", query_string={"q": "남궁"})
    [entry] = _records(app)
    assert (entry.action, entry.detail, entry.order_numbers) == (AccessAction.VIEW, "order_search", two_orders[1])


def _export(admin, **data):
    return admin.post("/admin/orders/export", data=data)


def test_a_download_needs_a_reason_and_holds_only_the_columns_of_its_purpose(app, admin, two_orders):
    refused = _export(admin, format="csv")
    assert refused.status_code == 422 and "무엇에 쓸 파일인지 고르세요" in refused.get_data(as_text=True)
    refused = _export(admin, format="csv", purpose="other")
    assert refused.status_code == 422 and "모든 항목이 담깁니다" in refused.get_data(as_text=True)
    assert _records(app) == []

    def header(response):
        assert response.status_code == 200
        return next(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))

    shipping = header(_export(admin, format="csv", purpose="shipping", reason="오늘 택배 접수"))
    assert {"받는 분", "주소", "상품"} <= set(shipping) and "이메일" not in shipping and "금액" not in shipping
    settlement = header(_export(admin, format="csv", purpose="settlement"))
    assert "금액" in settlement and not {"주소", "우편번호", "휴대폰 번호", "받는 분 연락처"} & set(settlement)
    everything = header(_export(admin, format="csv", purpose="other", reason="세무사 요청"))
    assert {"주소", "이메일", "금액"} <= set(everything)
    downloads = _records(app)
    assert [(e.action, e.purpose, e.reason, e.record_count) for e in downloads] == [
        (AccessAction.DOWNLOAD, "shipping", "오늘 택배 접수", 2),
        (AccessAction.DOWNLOAD, "settlement", "", 2),
        (AccessAction.DOWNLOAD, "other", "세무사 요청", 2),
    ]
    assert set(downloads[0].order_numbers.split(", ")) == set(two_orders)


def test_the_export_form_needs_its_csrf_token(app, client, admin, two_orders):
    response = client.post("/admin/orders/export", data={"format": "csv", "purpose": "shipping"})
    assert response.status_code == 400
    assert _records(app) == []


def test_erasing_old_personal_data_is_recorded_as_a_deletion(app, runner, two_orders):
    with time_machine.travel(utcnow() + timedelta(days=6 * 366)):
        result = runner.invoke(args=["purge-personal-data"])
    assert "Erased the personal data of 2 order(s)" in result.output
    [entry] = _records(app)
    assert (entry.actor, entry.action, entry.record_count) == ("system", AccessAction.DELETE, 2)


def _record_at(app, moment: datetime, actor: str, action=AccessAction.VIEW, **fields):
    with app.app_context(), time_machine.travel(moment, tick=False):
        access_log.record(action, "order_detail", ["261201-TEST0001"], actor=actor, **fields)
        db.session.commit()


def test_records_stay_until_their_period_and_only_the_prune_job_removes_them(app, runner):
    now = utcnow()
    _record_at(app, now - timedelta(days=3 * 366), "old@example.com")
    _record_at(app, now - timedelta(days=18 * 31), "middle@example.com")
    _record_at(app, now - timedelta(days=2), "new@example.com")
    with app.app_context():  # a login that ended three years ago goes with the records of its time
        owner = db.session.scalar(sa.select(AdminUser))
        old = now - timedelta(days=3 * 366)
        db.session.add(AdminLogin(user=owner, token_hash="0" * 64, created_at=old, last_seen_at=old, ended_at=old))
        db.session.commit()
    assert "Deleted 1 access record(s) and 1 login record(s)" in runner.invoke(args=["prune-access-records"]).output
    assert [e.actor for e in _records(app)] == ["middle@example.com", "new@example.com"]
    with app.app_context():
        from storefront.settings import save_settings

        save_settings({"access_log_years": 1})
        db.session.commit()
    assert "Deleted 1 access record(s) and 0 login record(s)" in runner.invoke(args=["prune-access-records"]).output
    assert [e.actor for e in _records(app)] == ["new@example.com"]


def test_the_database_refuses_to_change_or_delete_a_record(app):
    _record_at(app, utcnow(), "staff@example.com")
    with app.app_context():
        for statement in (
            sa.update(PersonalDataAccess).values(actor="someone-else@example.com"),
            sa.delete(PersonalDataAccess),
        ):
            with pytest.raises(sa.exc.DatabaseError):
                db.session.execute(statement)
                db.session.flush()
            db.session.rollback()
    assert [e.actor for e in _records(app)] == ["staff@example.com"]


def test_no_admin_route_changes_or_deletes_a_record(app, client, admin, two_orders):
    """Every admin address, with every method it takes, and the records are the same afterwards."""
    client.get(f"/admin/orders/{_order_id(app, two_orders[0])}")
    admin.post("/admin/orders/export", data={"format": "xlsx", "purpose": "shipping"})
    before = [(e.id, e.created_at, e.actor, e.address, e.action, e.order_numbers, e.purpose) for e in _records(app)]
    assert len(before) == 2
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.") and r.endpoint != "admin.logout"]
    assert len(rules) > 40
    for rule in rules:
        url = re.sub(r"<[^>]+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": admin.token, "id": "1", "ids": "1", "confirm": "y", "delete": "1"}
            response = client.open(url, method=method, data=data if method != "GET" else None)
            assert response.status_code < 500, (method, url)
    after = [(e.id, e.created_at, e.actor, e.address, e.action, e.order_numbers, e.purpose) for e in _records(app)]
    assert after[: len(before)] == before


def test_monthly_check_flags_an_unusual_day_and_night_downloads(app, client, admin):
    first_of_month = local_date().replace(day=1)
    last_month = (first_of_month - timedelta(days=1)).replace(day=1)

    def kst(day, hour, minute=0):
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=KST).astimezone(UTC)

    for back in range(5, 60, 5):  # a quiet staff account: 2 orders a day now and then
        day = last_month - timedelta(days=back)
        for _ in range(2):
            _record_at(app, kst(day, 14), "staff@example.com")
    busy = last_month + timedelta(days=9)
    with app.app_context(), time_machine.travel(kst(busy, 15), tick=False):
        for _ in range(40):
            access_log.record(AccessAction.VIEW, "order_detail", ["261201-TEST0001"], actor="staff@example.com")
        access_log.record(AccessAction.VIEW, "order_detail", ["261201-TEST0002"], actor="owner@example.com")
        db.session.commit()
    _record_at(app, kst(busy, 23, 30), "staff@example.com", AccessAction.DOWNLOAD, purpose="shipping", reason="급함")
    _record_at(app, kst(busy, 11), "owner@example.com", AccessAction.DOWNLOAD, purpose="settlement")
    with app.app_context():
        review = access_log.review(last_month)
        flagged = {a.actor: a.unusual for a in review.accounts}
        assert flagged == {"staff@example.com": True, "owner@example.com": False}
        assert [e.reason for e in review.night_downloads] == ["급함"]
        assert len(review.downloads) == 2
    page = client.get("/admin/access-log/review", query_string={"month": f"{last_month:%Y-%m}"})
    html = page.get_data(as_text=True)
    assert "평소와 다름" in html and "밤(22:00–06:00)에 내려받은 파일이 1건" in html and "급함" in html
    done = admin.post(
        f"/admin/access-log/review?month={last_month:%Y-%m}", data={"note": "staff 확인: 대량 발송 준비"}
    )
    assert done.status_code == 302
    assert "staff 확인: 대량 발송 준비" in client.get(done.headers["Location"]).get_data(as_text=True)
    empty = admin.post(f"/admin/access-log/review?month={last_month:%Y-%m}", data={"note": ""})
    assert empty.status_code == 422


def test_the_owner_sets_idle_logout_and_the_retention_period(app, client, admin):
    refused = admin.post("/admin/access-log/settings", data={"idle_logout_minutes": "3", "access_log_years": "0"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "5분에서 480분 사이" in html and "1년에서 10년 사이" in html
    saved = admin.post("/admin/access-log/settings", data={"idle_logout_minutes": "60", "access_log_years": "3"})
    assert saved.status_code == 302
    with app.app_context():
        from storefront.settings import settings_row

        row = settings_row()
        assert (row.idle_logout_minutes, row.access_log_years) == (60, 3)


def test_entering_the_buyers_refund_account_is_recorded_as_a_change(app, client, admin, two_orders):
    first = _order_id(app, two_orders[0])
    admin.post(f"/admin/orders/{first}/paid")
    account = {"refund_bank": "신한은행", "refund_account": "110-123-456789", "refund_holder": "김규섭"}
    admin.refund(first, amount="12,000", **account)
    edits = [e for e in _records(app) if e.action is AccessAction.EDIT]
    assert [(e.detail, e.order_numbers) for e in edits] == [("refund_account", two_orders[0])]
    assert "환불 계좌 입력" in client.get("/admin/access-log").get_data(as_text=True)


def test_odd_dates_in_the_address_show_the_pages_without_filtering(client, admin):
    for query in ({"month": "0001-01"}, {"month": "9999-12"}, {"month": "garbage"}, {"month": ""}):
        page = client.get("/admin/access-log/review", query_string=query)
        assert page.status_code == 200 and f"{local_date():%Y-%m}" in page.get_data(as_text=True), query
    for query in ({"start": "0001-01-01", "end": "9999-12-31"}, {"start": "2026-13-45"}, {"page": "x", "action": "?"}):
        assert client.get("/admin/access-log", query_string=query).status_code == 200, query


def test_a_check_cannot_be_recorded_for_a_month_still_to_come(app, admin):
    next_month = (local_date().replace(day=1) + timedelta(days=40)).replace(day=1)
    response = admin.post(f"/admin/access-log/review?month={next_month:%Y-%m}", data={"note": "미리 점검"})
    assert response.status_code == 400
    assert admin.post("/admin/access-log/review?month=garbage", data={"note": "x"}).status_code == 400
    with app.app_context():
        assert access_log.review(next_month).checks == []
