"""The password rule (auth.password_problem): 10 characters of two kinds or 8 of three, not the e-mail, not
a common password; every form and command that sets a password asks it."""

import pytest
import sqlalchemy as sa

from storefront.auth import common_passwords, password_kinds, password_problem
from storefront.extensions import db
from storefront.models import AdminUser

from .conftest import ADMIN_PASSWORD

EMAIL = "gyuseop.kim@example.com"


@pytest.mark.parametrize(
    ("password", "allowed"),
    [
        ("Ab1!xyz", False),  # 7 characters
        ("abcdefghijklmnop", False),  # one kind, however long
        ("1234567890123", False),
        ("abcdefg1", False),  # 8 of two kinds
        ("abcdefgh1", False),  # 9 of two kinds
        ("abcdefg1!", True),  # 9 of three kinds
        ("Abcdefg1", True),  # 8 of three kinds
        ("abcdefghi1", True),  # 10 of two kinds
        ("correct horse battery", True),  # a passphrase: the spaces count as 특수문자
        ("원두를볶는사람1234", True),  # 한글 counts as 특수문자, with 숫자
        (EMAIL, False),
        ("Gyuseop.kim2024!", False),  # holds the e-mail's part before @
        ("xGYUSEOP.KIM@EXAMPLE.COMx", False),
        ("qwer1234!", False),
        ("1q2w3e4r!", False),
        ("password1!", False),
        ("Password1!", False),  # the common list ignores case
        ("admin1234!", False),
        ("P@ssw0rd1", False),
        ("x" * 190 + "1A!", True),
        ("x" * 198 + "1A!", False),  # over 200 characters
    ],
)
def test_password_rule_table(app, password, allowed):
    with app.test_request_context():
        assert (password_problem(password, EMAIL) is None) is allowed


def test_a_short_local_part_does_not_forbid_its_letters(app):
    with app.test_request_context():
        assert password_problem("kimchi-fried-rice", "ki@example.com") is None


@pytest.mark.parametrize(
    ("password", "kinds"), [("abc", 1), ("ABCabc", 2), ("Abc123", 3), ("Abc12!", 4), ("a b", 2), ("가나1", 2)]
)
def test_password_kinds(password, kinds):
    assert password_kinds(password) == kinds


def test_the_shipped_common_list_has_the_korean_favourites():
    common = common_passwords()
    assert len(common) >= 100
    assert {"qwer1234!", "1q2w3e4r!", "password1!", "admin1234!"} <= common


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!", "8자 이상"),
        ("abcdefghijkl", "두 종류 이상"),
        ("abcdefg1", "세 종류 이상"),
        ("staff.member-1", "이메일 주소"),
        ("qwer1234!", "가장 흔히 쓰이는 비밀번호"),
    ],
)
def test_adding_staff_with_a_weak_password_says_why_in_korean(app, admin, password, message):
    email = "staff.member@example.com"
    response = admin.post("/admin/accounts", data={"email": email, "password": password, "password_confirm": password})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(AdminUser).where(AdminUser.email == email)) is None


def test_the_forms_say_which_rule_applies(client, admin):
    hint = "10자 이상이면 두 종류, 8자 이상이면 세 종류"
    assert hint in client.get("/admin/accounts").get_data(as_text=True)
    assert hint in client.get("/admin/password").get_data(as_text=True)


def test_changing_the_password_follows_the_rule(client, admin):
    weak = {"current_password": ADMIN_PASSWORD, "new_password": "owner2024!!", "new_password_confirm": "owner2024!!"}
    response = admin.post("/admin/password", data=weak)
    assert response.status_code == 422 and "이메일 주소" in response.get_data(as_text=True)
    good = {**weak, "new_password": "Roast-level-7", "new_password_confirm": "Roast-level-7"}
    assert admin.post("/admin/password", data=good).status_code == 302


def test_create_admin_refuses_a_common_password(app, runner):
    result = runner.invoke(args=["create-admin", "--email", "new@example.com", "--password", "admin1234!"])
    assert result.exit_code != 0 and "most common passwords" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(AdminUser).where(AdminUser.email == "new@example.com")) is None
