"""A saved setting is seen at once by every app process sharing the database."""

from storefront import create_app
from storefront.extensions import db
from storefront.settings import save_settings


def test_second_app_instance_sees_the_bank_account_on_its_next_request(app, client, make_product):
    other = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY")},
                        "TESTING": True, "INSTANCE_PATH": app.instance_path, "PUBLIC_BASE_URL": ""})  # fmt: skip
    _, token = make_product(listed=False)
    other_client = other.test_client()
    assert "이 상점은 아직 결제를 받지 않습니다." in other_client.get(f"/products/{token}").get_data(as_text=True)
    with app.test_request_context():
        save_settings({"bank_name": "국민은행", "bank_account": "123456-01-234567", "bank_holder": "규섭커피"})
        db.session.commit()
    html = other_client.get(f"/products/{token}").get_data(as_text=True)
    assert "이 상점은 아직 결제를 받지 않습니다." not in html and "구매하기" in html
    assert other_client.get(f"/products/{token}/buy").status_code == 200
    with other.app_context():
        db.engine.dispose()
