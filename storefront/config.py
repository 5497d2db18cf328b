"""Configuration: defaults, then ``instance/config.py``, then ``STOREFRONT_*`` variables."""

import os
import re
import secrets
from pathlib import Path

from flask import Flask

DEFAULTS = {
    "SHOP_NAME": "My Shop",
    # Absolute URLs in link previews and e-mails; when empty they come from the request (required in production,
    # unless TRUSTED_HOSTS lists the host names the shop answers to).
    "PUBLIC_BASE_URL": "",
    # How many reverse proxies to trust for X-Forwarded-* (0 = none).
    "TRUSTED_PROXIES": 0,
    "PRODUCTS_PER_PAGE": 20,
    # Shop pages kept per process until something they show changes (storefront.pagecache).
    "PAGE_CACHE": True,
    "PAGE_CACHE_MAX_PAGES": 1000,
    "ADMIN_PRODUCTS_PER_PAGE": 20,
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    "MAX_IMAGE_BYTES": 10 * 1024 * 1024,
    "MAX_IMAGE_PIXELS": 40_000_000,
    "MAX_IMAGES_PER_PRODUCT": 10,
    # Where pictures are kept (storefront.storage): "" = UPLOAD_FOLDER on this machine, or an S3-compatible bucket,
    # "s3://bucket/prefix", with its region, its endpoint (services other than AWS) and, to serve pictures from the
    # bucket or a CDN instead of the app, its public address. Access keys come from boto3's environment, never here.
    "STORAGE_URL": "",
    "STORAGE_REGION": "",
    "STORAGE_ENDPOINT_URL": "",
    "STORAGE_PUBLIC_URL": "",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Static URLs carry a content hash (formatting.static_url), so browsers may keep them for a year.
    "SEND_FILE_MAX_AGE_DEFAULT": 31536000,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": None,  # None: secure when PUBLIC_BASE_URL is https
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "ko",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Seoul",
    "LANGUAGES": ["ko", "en"],
    # Failed logins allowed before the login form refuses for a while (per e-mail, per address).
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "LOGIN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
    # Where failed logins are counted: "" = the database (shared by every app process), or redis://host:6379.
    "RATELIMIT_STORAGE_URI": "",
    # Production mode refuses settings that are only fit for testing (see check_production).
    "PRODUCTION": False,
    # 카드 결제 through Toss Payments: on when both keys are set.
    "TOSS_CLIENT_KEY": "",
    "TOSS_SECRET_KEY": "",
    "TOSS_API_BASE": "https://api.tosspayments.com",
    "TOSS_TIMEOUT": 10,
    "CARD_PAYMENT_MINUTES": 30,
    # Web Push to the merchant's devices (storefront.push): seconds to wait for a push service; endpoints
    # must be https (True lets a local fake push service on http stand in, for tests).
    "PUSH_TIMEOUT": 10,
    "PUSH_ALLOW_HTTP": False,
    # Messages to buyers (storefront.messaging) through SOLAPI: on when both keys are set (and 알림 설정 is);
    # the webhook secret lets delivery reports in (/webhooks/solapi?key=<secret>).
    "SOLAPI_API_KEY": "",
    "SOLAPI_API_SECRET": "",
    "SOLAPI_API_BASE": "https://api.solapi.com",
    "SOLAPI_TIMEOUT": 10,
    "SOLAPI_WEBHOOK_SECRET": "",
    # purge-personal-data erases buyers' names and contacts from orders older than this.
    "PERSONAL_DATA_RETENTION_YEARS": 5,
    # 비회원 주문조회: failed tries allowed per address and per order number within the window.
    "GUEST_LOOKUP_LIMIT_PER_ADDRESS": 10,
    "GUEST_LOOKUP_LIMIT_PER_ORDER": 5,
    "GUEST_LOOKUP_WINDOW_MINUTES": 15,
}


def load_config(app: Flask, test_config: dict | None) -> None:
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("STOREFRONT")
    else:
        app.config.from_mapping(test_config)

    app.config.setdefault("UPLOAD_FOLDER", os.path.join(app.instance_path, "uploads"))
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file cannot drop a connection the way a database server can: no ping before each request.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": False}
    if not app.config.get("SECRET_KEY"):
        if app.config["PRODUCTION"]:
            raise ConfigurationError(
                "Production mode needs STOREFRONT_SECRET_KEY (the same value on every app instance), "
                "so that logins and forms survive restarts and work behind a load balancer."
            )
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    if "SESSION_COOKIE_SECURE" not in app.config or app.config["SESSION_COOKIE_SECURE"] is None:
        # Served over https (per the public address): the session cookie never travels in clear.
        app.config["SESSION_COOKIE_SECURE"] = app.config["PUBLIC_BASE_URL"].startswith("https://")
    check_production(app)


class ConfigurationError(RuntimeError):
    """The shop refuses to start with settings that would be unsafe for real customers."""


def check_production(app: Flask) -> None:
    check_toss_keys(app)
    if bool(app.config.get("SOLAPI_API_KEY")) != bool(app.config.get("SOLAPI_API_SECRET")):
        raise ConfigurationError("Set both STOREFRONT_SOLAPI_API_KEY and STOREFRONT_SOLAPI_API_SECRET, or neither.")
    if not app.config["PRODUCTION"]:
        return
    if app.debug:
        raise ConfigurationError(
            "Production mode refuses to run with debug on: the debugger lets visitors run code. Unset FLASK_DEBUG."
        )
    for name in ("TOSS_CLIENT_KEY", "TOSS_SECRET_KEY"):
        if str(app.config.get(name) or "").startswith("test_"):
            raise ConfigurationError(
                f"{name} is a Toss Payments test key: in production it would take no real payments. "
                "Use the live_ key from the Toss Payments console, or leave both keys empty."
            )
    if not app.config["PUBLIC_BASE_URL"] and not app.config.get("TRUSTED_HOSTS"):
        raise ConfigurationError(
            "Production mode needs STOREFRONT_PUBLIC_BASE_URL (e.g. https://shop.example.kr), or "
            "STOREFRONT_TRUSTED_HOSTS (e.g. '[\"shop.example.kr\"]'): otherwise links in e-mails and link previews "
            "would be built from the Host header any visitor can send."
        )


# The v2 payment widget takes only 결제위젯 연동 키; an API 개별 연동 키 (ck/sk) makes widgets() throw.
TOSS_KEY_PREFIXES = {"TOSS_CLIENT_KEY": ("test_gck_", "live_gck_"), "TOSS_SECRET_KEY": ("test_gsk_", "live_gsk_")}


def check_toss_keys(app: Flask) -> None:
    """Both Toss keys or neither, and both 결제위젯 연동 키 (gck/gsk)."""
    keys = {name: str(app.config.get(name) or "") for name in TOSS_KEY_PREFIXES}
    if not any(keys.values()):
        return
    for name, value in keys.items():
        if not value:
            raise ConfigurationError(f"{name} is empty: set both Toss Payments keys, or neither.")
        if not value.startswith(TOSS_KEY_PREFIXES[name]):
            kind = "client" if name == "TOSS_CLIENT_KEY" else "secret"
            raise ConfigurationError(
                f"{name} must be a 결제위젯 연동 키 ({' or '.join(p + '…' for p in TOSS_KEY_PREFIXES[name])}). "
                + (
                    f"This looks like an API 개별 연동 키 ({value[:8]}…), which the payment widget refuses. "
                    if re.match(r"^(test|live)_(ck|sk)_", value)
                    else ""
                )
                + f"Copy the widget {kind} key from the Toss Payments console: 개발 정보 › 결제위젯 연동 키."
            )


def database_url(app: Flask) -> str:
    url = (
        app.config.get("SQLALCHEMY_DATABASE_URI")
        or app.config.get("DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or "sqlite:///" + os.path.join(app.instance_path, "storefront.sqlite")
    )
    # Hosting platforms hand out postgres:// URLs; we talk to PostgreSQL through psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret_key(instance: Path) -> str:
    """Read the shop's secret key from the instance folder, creating it once (mode 600)."""
    path = instance / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race; use its key
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key
