"""비밀번호 변경 and 운영자 계정: the owner manages staff; every change names the account that made it."""

import sqlalchemy as sa

from storefront.extensions import db
from storefront.models import AdminUser, AuditEntry

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD, AuthActions

STAFF = {"email": "staff@example.com", "password": "green-beans-roast", "password_confirm": "green-beans-roast"}


def change_password(auth, current, new="new-password-123", confirm=None):
    return auth.post(
        "/admin/password",
        data={"current_password": current, "new_password": new, "new_password_confirm": confirm or new},
    )


def test_password_change_needs_the_current_password(client, admin):
    response = change_password(admin, "not my password")
    assert response.status_code == 422
    assert "현재 비밀번호가 올바르지 않습니다." in response.get_data(as_text=True)
    assert AuthActions(client.application.test_client()).login(ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 302


def test_password_change_ends_other_sessions_but_not_this_one(app, client, admin):
    elsewhere = app.test_client()
    AuthActions(elsewhere).login()
    assert elsewhere.get("/admin/products").status_code == 200
    response = change_password(admin, ADMIN_PASSWORD)
    assert response.status_code == 302
    assert "비밀번호를 변경했습니다" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get("/admin/products").status_code == 200
    assert elsewhere.get("/admin/products").status_code == 302
    assert AuthActions(app.test_client()).login(ADMIN_EMAIL, "new-password-123").status_code == 302
    assert AuthActions(app.test_client()).login(ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 401


def test_owner_adds_staff_who_can_work_but_not_manage_accounts(app, client, admin):
    assert admin.post("/admin/accounts", data=STAFF).status_code == 302
    staff_client = app.test_client()
    staff = AuthActions(staff_client)
    assert staff.login(STAFF["email"], STAFF["password"]).status_code == 302
    assert staff_client.get("/admin/products").status_code == 200
    assert "운영자 계정" not in staff_client.get("/admin/").get_data(as_text=True)
    assert staff_client.get("/admin/accounts").status_code == 403
    assert staff.post("/admin/accounts", data={**STAFF, "email": "third@example.com"}).status_code == 403
    with app.app_context():
        owner_id = db.session.scalar(sa.select(AdminUser.id).where(AdminUser.email == ADMIN_EMAIL))
    assert staff.post(f"/admin/accounts/{owner_id}/remove").status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AdminUser)) == 2


def test_owner_removes_staff_and_their_login_ends(app, client, admin):
    admin.post("/admin/accounts", data=STAFF)
    staff_client = app.test_client()
    AuthActions(staff_client).login(STAFF["email"], STAFF["password"])
    with app.app_context():
        staff_id = db.session.scalar(sa.select(AdminUser.id).where(AdminUser.email == STAFF["email"]))
        owner_id = db.session.scalar(sa.select(AdminUser.id).where(AdminUser.email == ADMIN_EMAIL))
    assert admin.post(f"/admin/accounts/{staff_id}/remove").status_code == 302
    assert staff_client.get("/admin/products").status_code == 302
    # The owner cannot remove the owner.
    admin.post(f"/admin/accounts/{owner_id}/remove")
    assert client.get("/admin/products").status_code == 200


def test_adding_an_existing_email_is_refused_and_keeps_the_form(client, admin):
    response = admin.post("/admin/accounts", data={**STAFF, "email": ADMIN_EMAIL})
    assert response.status_code == 422
    assert "이 이메일로 만든 계정이 이미 있습니다." in response.get_data(as_text=True)


def test_every_audit_entry_names_the_account(app, client, admin):
    admin.post("/admin/accounts", data=STAFF)
    staff_client = app.test_client()
    staff = AuthActions(staff_client)
    staff.login(STAFF["email"], STAFF["password"])
    staff.post("/admin/categories", data={"action": "save", "rows-0-id": "", "rows-0-name": "원두"})
    settings_form = {"name": "규섭커피", "phone": "02-1234-5678", "payment_due_days": "3"}
    staff.post("/admin/settings", data=settings_form)
    change_password(staff, STAFF["password"])
    with app.app_context():
        entries = {(e.subject, e.action): e.actor for e in db.session.scalars(sa.select(AuditEntry))}
    assert entries == {
        ("account", "staff_added"): ADMIN_EMAIL,
        ("category", "saved"): STAFF["email"],
        ("settings", "saved"): STAFF["email"],
        ("account", "password_changed"): STAFF["email"],
    }
    history = client.get("/admin/accounts").get_data(as_text=True)
    assert "운영자 계정 추가: staff@example.com" in history and "비밀번호 변경" in history
