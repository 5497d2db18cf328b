"""A forged Host header never reaches the links the shop sends out."""

import threading

import pytest

from ..conftest import place

_Thread = threading.Thread


class InlineThread(_Thread):
    """The e-mail sender's thread, waited for before the request that started it ends."""

    def start(self):
        super().start()
        self.join(timeout=30)


@pytest.fixture
def mailbox(outbox, monkeypatch):
    from storefront import notifications

    monkeypatch.setattr(notifications.threading, "Thread", InlineThread)
    return outbox


def test_order_email_admin_link_ignores_a_forged_host(app, bank_ready, make_product, mailbox):
    _, token = make_product(name="알림 상품")
    client = app.test_client()
    client.environ_base["HTTP_HOST"] = "shop-login.evil.example"
    assert place(client, token).status_code == 302
    body = mailbox[0].get_content()
    assert "evil.example" not in body
    assert "http://localhost/admin/orders/1" in body


def test_order_email_admin_link_uses_the_public_base_url(app, bank_ready, make_product, mailbox):
    app.config["PUBLIC_BASE_URL"] = "https://shop.example.kr"
    _, token = make_product()
    client = app.test_client()
    client.environ_base["HTTP_HOST"] = "shop-login.evil.example"
    place(client, token)
    assert "https://shop.example.kr/admin/orders/1" in mailbox[0].get_content()


def test_production_needs_a_public_address_or_trusted_hosts(tmp_path):
    from storefront import create_app
    from storefront.config import ConfigurationError

    settings = {"INSTANCE_PATH": str(tmp_path), "PRODUCTION": True, "SECRET_KEY": "a-real-secret"}
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL"):
        create_app(settings)
    assert create_app({**settings, "PUBLIC_BASE_URL": "https://shop.example.kr"})
    assert create_app({**settings, "TRUSTED_HOSTS": ["shop.example.kr"]})


def test_trusted_hosts_refuse_a_forged_host(tmp_path, database_url, make_product, app):
    _, token = make_product(name="미리보기 상품")
    app.config["TRUSTED_HOSTS"] = ["shop.example.kr"]
    client = app.test_client()
    forged = client.get(f"/products/{token}", headers={"Host": "shop-login.evil.example"})
    assert forged.status_code == 400
    real = client.get(f"/products/{token}", headers={"Host": "shop.example.kr"})
    assert real.status_code == 200
    assert 'content="http://shop.example.kr/products/' in real.get_data(as_text=True)
