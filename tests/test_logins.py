"""로그인 기록: each login is a row its cookie names; logout, 다른 기기 로그아웃, a password change, idleness end it."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from storefront import logins
from storefront.extensions import db
from storefront.models import AdminLogin, AdminUser
from storefront.settings import settings_row

from .conftest import ADMIN_EMAIL, AuthActions, csrf_from

STAFF = {"email": "staff@example.com", "password": "Shop-helper-42", "password_confirm": "Shop-helper-42"}
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; SM-S921N) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.6367.82 Mobile Safari/537.36"
)
IDLE_MESSAGE = "오래 사용하지 않아 로그아웃되었습니다"


def device_client(app, user_agent=PHONE_UA, address="203.0.113.7"):
    """A browser on another device: its own cookies, User-Agent and address."""
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    return client


def login_rows(app, email=ADMIN_EMAIL) -> list[AdminLogin]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AdminLogin).join(AdminLogin.user).where(AdminUser.email == email).order_by(AdminLogin.id)
            )
        )


def copy_of_cookie(app, client):
    """Another browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def set_idle_minutes(app, minutes):
    with app.test_request_context():
        row = settings_row()
        row.idle_logout_minutes = minutes
        db.session.add(row)
        db.session.commit()


def test_a_login_records_its_address_and_device(app):
    phone = device_client(app)
    AuthActions(phone).login()
    [row] = login_rows(app)
    assert row.address == "203.0.113.7"
    assert row.user_agent == PHONE_UA
    assert row.ended_at is None and not row.two_factor
    assert len(row.token_hash) == 64  # only the token's SHA-256
    assert row.token_hash not in phone.get_cookie("session").value


def test_logout_ends_only_this_login_and_a_copy_of_its_cookie_no_longer_works(app, client, admin):
    other = device_client(app)
    AuthActions(other).login()
    thief = copy_of_cookie(app, client)
    assert thief.get("/admin/products").status_code == 200
    assert admin.post("/admin/logout").status_code == 302
    assert thief.get("/admin/products").status_code == 302
    assert client.get("/admin/products").status_code == 302
    assert other.get("/admin/products").status_code == 200
    first, second = login_rows(app)
    assert first.end_reason == "logout" and first.ended_at is not None
    assert second.ended_at is None


def test_logging_out_other_devices_ends_them_but_not_this_one(app, client, admin):
    other = device_client(app)
    AuthActions(other).login()
    response = admin.post("/admin/logins/end-others", follow_redirects=True)
    assert "다른 기기의 로그인 1건을 로그아웃했습니다" in response.get_data(as_text=True)
    assert client.get("/admin/products").status_code == 200
    assert other.get("/admin/products").status_code == 302
    mine, theirs = login_rows(app)
    assert mine.ended_at is None
    assert theirs.end_reason == "other_device"


def test_logging_out_other_devices_needs_the_csrf_token(client, admin):
    assert client.post("/admin/logins/end-others").status_code == 400


def test_a_password_change_ends_the_other_logins(app, client, admin):
    other = device_client(app)
    AuthActions(other).login()
    admin.post(
        "/admin/password",
        data={"current_password": "correct horse battery", "new_password": "new-password-123",
              "new_password_confirm": "new-password-123"},
    )  # fmt: skip
    assert client.get("/admin/products").status_code == 200
    assert other.get("/admin/products").status_code == 302
    mine, theirs = login_rows(app)
    assert mine.ended_at is None and theirs.end_reason == "password"


def test_ending_the_sessions_of_an_account_ends_every_login(app, client, admin):
    """What a 2단계 인증 reset by the owner or the server's command does (AdminUser.end_sessions)."""
    with app.app_context():
        user = db.session.scalar(sa.select(AdminUser).where(AdminUser.email == ADMIN_EMAIL))
        assert user.end_sessions() == 1
        db.session.commit()
    assert client.get("/admin/products").status_code == 302
    assert login_rows(app)[0].end_reason == "reset"


def test_an_idle_login_is_sent_to_login_with_a_message_and_recorded_as_idle(app, client, admin):
    now = datetime.now(UTC)
    with time_machine.travel(now + timedelta(minutes=31), tick=False):
        response = client.get("/admin/products")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/admin/login?next=/admin/products")
        assert IDLE_MESSAGE in client.get(response.headers["Location"]).get_data(as_text=True)
    [row] = login_rows(app)
    assert row.end_reason == "idle"
    assert client.get("/admin/products").status_code == 302  # ended, even back in the present


def test_use_within_the_limit_keeps_the_login_alive(app, client, admin):
    now = datetime.now(UTC)
    for minutes in (20, 40, 60):
        with time_machine.travel(now + timedelta(minutes=minutes), tick=False):
            assert client.get("/admin/products").status_code == 200
    assert login_rows(app)[0].ended_at is None


def test_the_idle_limit_is_the_shops_setting(app, client, admin):
    set_idle_minutes(app, 5)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=6), tick=False):
        assert client.get("/admin/products").status_code == 302
    assert login_rows(app)[0].end_reason == "idle"


def test_the_scripts_status_question_is_not_use(app, client, admin):
    now = datetime.now(UTC)
    with time_machine.travel(now + timedelta(minutes=20), tick=False):
        left = client.get("/admin/session.json").json["seconds_left"]
        assert 9 * 60 <= left <= 10 * 60
    with time_machine.travel(now + timedelta(minutes=31), tick=False):
        assert client.get("/admin/session.json").status_code == 302
    assert login_rows(app)[0].end_reason == "idle"


def test_keep_alive_needs_csrf_and_resets_the_clock(app, client, admin):
    now = datetime.now(UTC)
    with time_machine.travel(now + timedelta(minutes=29), tick=False):
        assert client.post("/admin/session/keep-alive").status_code == 400
        response = client.post("/admin/session/keep-alive", headers={"X-CSRFToken": admin.token})
        assert response.status_code == 200
        assert response.json["seconds_left"] == 30 * 60
    with time_machine.travel(now + timedelta(minutes=50), tick=False):
        assert client.get("/admin/products").status_code == 200


def test_every_admin_page_tells_the_script_its_seconds_left(client, admin):
    html = client.get("/admin/products").get_data(as_text=True)
    assert 'data-seconds-left="1800"' in html or 'data-seconds-left="1799"' in html
    assert "js/idle.js" in html


def test_login_history_lists_this_device_and_others(app, client, admin):
    AuthActions(device_client(app)).login()
    html = client.get("/admin/logins").get_data(as_text=True)
    assert "로그인 기록" in html
    assert "Chrome · Android" in html and "203.0.113.7" in html
    assert html.count("현재 기기") == 1
    assert "다른 기기 로그아웃" in html and csrf_from(html)


def test_staff_see_only_their_own_login_history_and_the_owner_sees_any(app, client, admin):
    admin.post("/admin/accounts", data=STAFF)
    staff_client = device_client(app)
    AuthActions(staff_client).login(STAFF["email"], STAFF["password"])
    with app.app_context():
        ids = dict(db.session.execute(sa.select(AdminUser.email, AdminUser.id)).all())
    assert staff_client.get(f"/admin/logins?account={ids[ADMIN_EMAIL]}").status_code == 403
    assert staff_client.get(f"/admin/logins?account={ids[STAFF['email']]}").status_code == 200
    owner_view = client.get(f"/admin/logins?account={ids[STAFF['email']]}")
    assert owner_view.status_code == 200
    html = owner_view.get_data(as_text=True)
    assert STAFF["email"] in html and "203.0.113.7" in html
    assert "다른 기기 로그아웃</button>" not in html  # only for one's own logins
    assert client.get("/admin/logins?account=abc").status_code == 404
    assert client.get("/admin/logins?account=999").status_code == 404


def test_a_removed_accounts_logins_end(app, client, admin):
    admin.post("/admin/accounts", data=STAFF)
    staff_client = device_client(app)
    AuthActions(staff_client).login(STAFF["email"], STAFF["password"])
    with app.app_context():
        staff_id = db.session.scalar(sa.select(AdminUser.id).where(AdminUser.email == STAFF["email"]))
    admin.post(f"/admin/accounts/{staff_id}/remove")
    assert staff_client.get("/admin/products").status_code == 302
    assert login_rows(app, STAFF["email"]) == []


def test_a_forged_remember_cookie_for_an_ended_login_opens_nothing(app, client, admin):
    """Logins never set Flask-Login's remember cookie; one made with the secret key still needs a live login."""
    from flask_login.utils import encode_cookie

    with client.session_transaction() as session:
        identity = session["_user_id"]
    admin.post("/admin/logout")
    forged = app.test_client()
    with app.test_request_context():
        forged.set_cookie("remember_token", encode_cookie(identity))
    assert forged.get("/admin/products").status_code == 302
    assert client.get_cookie("remember_token") is None


def test_old_ended_logins_are_pruned(app, client, admin):
    admin.post("/admin/logout")
    with app.app_context():
        assert logins.prune(datetime.now(UTC) - timedelta(days=1)) == 0
        assert logins.prune(datetime.now(UTC) + timedelta(days=1)) == 1
        db.session.commit()


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (
            "Mozilla/5.0 (Linux; Android 13; SM-G991N Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.144 Mobile Safari/537.36;KAKAOTALK 2410430",
            "KakaoTalk 인앱 · Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Mobile/15E148 KAKAOTALK 10.6.5",
            "KakaoTalk 인앱 · iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Safari/537.36",
            "Chrome · Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.4.1 Mobile/15E148 Safari/604.1",
            "Safari · iPhone",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.4 Safari/605.1.15",
            "Safari · Mac",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S921N) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
            "Samsung Internet · Android",
        ),
        ("", "알 수 없는 기기"),
    ],
)
def test_a_device_reads_as_app_and_system(app, user_agent, device):
    with app.test_request_context(headers={"Accept-Language": "ko"}):
        assert logins.describe_device(user_agent) == device


def test_logging_out_other_devices_counts_only_logins_still_in_use(app, client, admin):
    now = datetime.now(UTC)
    AuthActions(device_client(app)).login()  # then left unused
    with time_machine.travel(now + timedelta(minutes=20), tick=False):
        assert client.get("/admin/products").status_code == 200
    with time_machine.travel(now + timedelta(minutes=40), tick=False):
        AuthActions(device_client(app, address="198.51.100.9")).login()
        admin.token = csrf_from(client.get("/admin/logins").get_data(as_text=True))
        response = admin.post("/admin/logins/end-others", follow_redirects=True)
        assert "다른 기기의 로그인 1건을 로그아웃했습니다" in response.get_data(as_text=True)
