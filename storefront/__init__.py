"""The storefront application factory."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import cli, config, errors, formatting, fragments, i18n, logs, pagecache, security, storage, transactions
from .extensions import babel, csrf, db, login_manager, migrate
from .urls import IdConverter

PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> str:
    """Folder shipped inside the wheel, else the one at the top of the source tree."""
    inside = PACKAGE_DIR / name
    return str(inside if inside.is_dir() else PACKAGE_DIR.parent / name)


def create_app(test_config: dict | None = None) -> Flask:
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("STOREFRONT_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
        template_folder=_bundled("templates"),
        static_folder=_bundled("static"),
    )
    config.load_config(app, test_config)
    app.url_map.converters["id"] = IdConverter
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if proxies := int(app.config["TRUSTED_PROXIES"]):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)

    storage.init_app(app)
    transactions.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=_bundled("migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app, babel)
    formatting.init_app(app)
    fragments.init_app(app)
    pagecache.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    logs.init_app(app)

    from . import admin, shop

    app.register_blueprint(admin.bp)
    app.register_blueprint(shop.bp)
    cli.init_app(app)
    return app
