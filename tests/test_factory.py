import os
import stat

import pytest

from storefront import create_app
from storefront.config import database_url


def test_test_config_overrides_defaults(app):
    assert app.testing
    assert app.config["SHOP_NAME"] == "테스트상점"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "ko"


def test_instance_config_then_environment(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text('SHOP_NAME = "파일상점"\nPRODUCTS_PER_PAGE = 7\n')
    monkeypatch.setenv("STOREFRONT_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("STOREFRONT_SHOP_NAME", "환경상점")
    app = create_app()
    assert app.config["SHOP_NAME"] == "환경상점"  # environment wins over the file
    assert app.config["PRODUCTS_PER_PAGE"] == 7  # the file wins over defaults


def test_secret_key_is_generated_once_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("STOREFRONT_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.delenv("STOREFRONT_SECRET_KEY", raising=False)
    first = create_app()
    key_file = tmp_path / "inst" / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 40
    assert create_app().config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_secret_key_from_environment_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("STOREFRONT_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("STOREFRONT_SECRET_KEY", "from-the-environment")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "inst" / "secret_key").exists()


def test_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("STOREFRONT_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "inst" / "storefront.sqlite")


def test_postgres_urls_use_psycopg3(tmp_path, monkeypatch):
    monkeypatch.setenv("STOREFRONT_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("DATABASE_URL", "postgres://shop@db.internal/shop")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://shop@db.internal/shop"
    monkeypatch.setenv("STOREFRONT_DATABASE_URL", "postgresql://other@db/other")
    assert database_url(create_app()) == "postgresql+psycopg://other@db/other"


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(app):
    from storefront.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite connection settings")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
