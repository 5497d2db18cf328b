"""The shop's tables, as typed SQLAlchemy 2.0 models."""

import enum
import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from . import images
from .clock import utcnow
from .extensions import db

# The actor recorded when the shop itself (a command, a background job, a default) makes a change.
SYSTEM = "system"


def new_public_token() -> str:
    """128 random bits, URL-safe: what a product's public URL carries instead of its id."""
    return secrets.token_urlsafe(16)


class DisplayStatus(enum.StrEnum):
    DISPLAYED = "displayed"  # 진열함
    HIDDEN = "hidden"  # 진열 안함


def _enum(cls, name: str, length: int = 24) -> sa.Enum:
    """An enum stored as its string values, guarded by a named CHECK constraint (portable to SQLite)."""
    return sa.Enum(
        cls,
        native_enum=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        create_constraint=True,
        name=name,
    )


class ShippingFeeType(enum.StrEnum):
    """배송비 유형, as Kakao Shopping, Naver and Youngcart name them."""

    FREE = "free"  # 무료배송
    PAID = "paid"  # 유료배송: one fixed fee
    CONDITIONAL = "conditional"  # 조건부 무료배송: the fee, or nothing from 무료배송 기준 금액 of goods
    PER_QUANTITY = "per_quantity"  # 수량별 부과: the fee for every 수량 단위 units (or part of them)


class ShippingMode(enum.StrEnum):
    """A product's 배송비."""

    DEFAULT = "default"  # 기본 배송비 따름: the shop's fee, shared by every such product of an order (묶음배송)
    FREE = "free"  # 무료배송
    OWN = "own"  # 개별 배송비: its own type and amount, charged on its own


# 추가 배송비 지역의 구분 (ShippingRegion.kind, Order.extra_shipping_region).
SHIPPING_REGION_LABELS = {"jeju": _l("Jeju extra shipping fee"), "remote": _l("Remote island extra shipping fee")}


class AdminRole(enum.StrEnum):
    OWNER = "owner"  # the merchant: everything, including 운영자 계정
    STAFF = "staff"  # 운영자: everything but managing accounts


class AdminUser(UserMixin, db.Model):
    __tablename__ = "admin_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    role: Mapped[AdminRole] = mapped_column(
        _enum(AdminRole, "admin_role", length=16), default=AdminRole.OWNER, server_default=AdminRole.OWNER.value
    )
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # 2단계 인증 (storefront.two_factor): the TOTP secret (set at enrolment, in use once
    # two_factor_enabled_at is set) and the last time step accepted, so a code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    two_factor_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    recovery_codes: Mapped[list["RecoveryCode"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    logins: Mapped[list["AdminLogin"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The login (AdminLogin) this object was loaded for or has just started, and its cookie identity;
    # set by storefront.logins, never stored.
    current_login = None
    _login_cookie_id = None

    # Flask-Login's UserMixin compares users by get_id(), which only a logged-in object has: compare
    # them as the ORM does, one object per row in a session.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def use_login(self, login: "AdminLogin", cookie_id: str) -> None:
        self.current_login = login
        self._login_cookie_id = cookie_id

    def get_id(self) -> str:
        """What the login cookie carries: one login (its row and token, storefront.logins), not the account."""
        if self._login_cookie_id is None:
            raise RuntimeError("start the login with storefront.logins.start before login_user")
        return self._login_cookie_id

    def end_sessions(self, reason: str = "reset", keep: "AdminLogin | None" = None) -> int:
        """End every login of the account (but ``keep``); how many ended."""
        from . import logins

        return logins.end_all(self, reason, keep=keep)

    def set_password(self, password: str, keep: "AdminLogin | None" = None) -> None:
        """A new password ends every login of the account but ``keep`` (the login that changed it)."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions("password", keep=keep)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_owner(self) -> bool:
        return self.role is AdminRole.OWNER

    @property
    def two_factor_enabled(self) -> bool:
        return self.two_factor_enabled_at is not None


class RecoveryCode(db.Model):
    """복구 코드: one of the ten codes shown once at 2단계 인증 enrolment; only its SHA-256 is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("admin_user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None]

    user: Mapped[AdminUser] = relationship(back_populates="recovery_codes")

    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash", name="user_code"),)


class AdminLogin(db.Model):
    """One login of an account (로그인 기록): where from, when last active, and how it ended.

    The login cookie carries the token whose SHA-256 is ``token_hash``; ending the row (logout, idle,
    다른 기기 로그아웃, a password change) ends that login at once.
    """

    __tablename__ = "admin_login"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("admin_user.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    address: Mapped[str] = mapped_column(sa.String(45), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    two_factor: Mapped[bool] = mapped_column(default=False)  # the login passed 2단계 인증
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str] = mapped_column(sa.String(20), default="")

    user: Mapped[AdminUser] = relationship(back_populates="logins")

    __table_args__ = (sa.Index("ix_admin_login_user_id_created_at", "user_id", "created_at"),)


class SetupCode(db.Model):
    """A one-time code that lets whoever holds it create the first admin account.

    Only its SHA-256 is stored; the code itself is printed once on the server's console.
    """

    __tablename__ = "setup_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Category(db.Model):
    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), unique=True)
    position: Mapped[int] = mapped_column(default=0, index=True)

    products: Mapped[list["Product"]] = relationship(back_populates="category")


class Product(db.Model):
    __tablename__ = "product"
    __table_args__ = (
        sa.CheckConstraint("price >= 0", name="price_not_negative"),
        sa.CheckConstraint("stock_quantity >= 0", name="stock_not_negative"),
        sa.CheckConstraint("order_count >= 0", name="order_count_not_negative"),
        sa.CheckConstraint("max_per_order IS NULL OR max_per_order > 0", name="max_per_order_positive"),
        sa.CheckConstraint("purchase_limit IS NULL OR purchase_limit > 0", name="purchase_limit_positive"),
        sa.CheckConstraint("shipping_quantity_unit >= 1", name="shipping_quantity_unit_positive"),
        # Category pages walk one category newest first, a page at a time (keyset on id).
        sa.Index("ix_product_category_listing", "category_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("category.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(sa.String(200))
    price: Mapped[int] = mapped_column(sa.BigInteger)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    display_status: Mapped[DisplayStatus] = mapped_column(
        _enum(DisplayStatus, "display_status", length=16), default=DisplayStatus.DISPLAYED
    )
    show_on_desktop: Mapped[bool] = mapped_column(default=True)
    show_on_mobile: Mapped[bool] = mapped_column(default=True)
    listed: Mapped[bool] = mapped_column(default=True)
    stock_managed: Mapped[bool] = mapped_column(default=False)
    # With 옵션 사용 the stock is each combination's; this is their sum over those on sale (kept by stock.py
    # and catalog.py), so lists and the stock guard read one column either way.
    stock_quantity: Mapped[int] = mapped_column(default=0)
    options_enabled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    public_token: Mapped[str] = mapped_column(sa.String(43), unique=True, default=new_public_token)
    # What the messenger card shows instead of the name/description (keeps a customer's name out of it).
    preview_title: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    preview_description: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    requires_shipping: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # 배송비: the shop's (기본 배송비 따름), none, or its own (storefront.shipping computes it).
    shipping_mode: Mapped[ShippingMode] = mapped_column(
        _enum(ShippingMode, "shipping_mode", length=16), default=ShippingMode.DEFAULT, server_default="default"
    )
    shipping_fee_type: Mapped[ShippingFeeType] = mapped_column(
        _enum(ShippingFeeType, "product_shipping_fee_type", length=16),
        default=ShippingFeeType.PAID,
        server_default="paid",
    )
    shipping_fee: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    shipping_free_from: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    shipping_quantity_unit: Mapped[int] = mapped_column(default=1, server_default="1")
    max_per_order: Mapped[int | None]
    # 구매 가능 횟수: after this many orders the product switches itself to 진열 안함.
    purchase_limit: Mapped[int | None]
    order_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Indexed: the next 판매 종료일 is when kept shop pages stop being true (storefront.pagecache).
    sale_ends_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # A window bound to one buyer (고객명, 휴대폰 번호): the checkout arrives prefilled; with
    # phone_check the link opens only after the last four digits of that number (see links.py).
    customer_name: Mapped[str] = mapped_column(sa.String(50), default="", server_default="")
    customer_phone: Mapped[str] = mapped_column(sa.String(11), default="", server_default="")
    phone_check: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    gate_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    gate_locked_until: Mapped[datetime | None] = mapped_column()
    # 열람: counted from the page's own script, so scrapers and prefetches never count (links.py).
    view_count: Mapped[int] = mapped_column(default=0, server_default="0")
    first_viewed_at: Mapped[datetime | None] = mapped_column()
    last_viewed_at: Mapped[datetime | None] = mapped_column()
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("product_batch.id", ondelete="SET NULL"), index=True)
    # 추가 결제 요청: a window that asks the buyer of this order for more money (storefront.extra_payments).
    extra_for_order_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("shop_order.id", ondelete="SET NULL"), index=True
    )
    # 판매중 · 열람됨 · 주문됨 · 결제 완료 · 종료, loaded by the 상품 관리 query (links.link_status_clause).
    link_status: Mapped[str | None] = query_expression()

    category: Mapped[Category | None] = relationship(back_populates="products")
    images: Mapped[list["ProductImage"]] = relationship(
        back_populates="product",
        order_by="ProductImage.position",
        cascade="all, delete-orphan",
    )
    events: Mapped[list["ProductEvent"]] = relationship(
        back_populates="product", order_by="ProductEvent.id.desc()", cascade="all, delete-orphan"
    )
    options: Mapped[list["ProductOption"]] = relationship(
        back_populates="product", order_by="ProductOption.position", cascade="all, delete-orphan"
    )
    variants: Mapped[list["ProductVariant"]] = relationship(
        back_populates="product", order_by="ProductVariant.position", cascade="all, delete-orphan"
    )

    @property
    def has_options(self) -> bool:
        """옵션 사용 with combinations saved (the combinations exist exactly while groups do)."""
        return self.options_enabled and bool(self.variants)

    @property
    def displayed(self) -> bool:
        return self.display_status is DisplayStatus.DISPLAYED

    @property
    def sold_out(self) -> bool:
        return not self.in_stock

    def sale_ended(self, now: datetime) -> bool:
        return self.sale_ends_at is not None and self.sale_ends_at <= now

    # "Can this product be sold now", written once for Python (one product) and SQL (lists, the
    # stock reservation): open_for_sale is the link's own state, sellable adds stock and device.

    @hybrid_property
    def bound_to_buyer(self) -> bool:
        """A link that asks for the last four digits of its customer's phone: never in a public list."""
        return self.phone_check and len(self.customer_phone) >= 4

    @bound_to_buyer.inplace.expression
    @classmethod
    def _bound_to_buyer_expression(cls):
        return sa.and_(cls.phone_check.is_(True), sa.func.length(cls.customer_phone) >= 4)

    @hybrid_property
    def publicly_listed(self) -> bool:
        """In the shop's lists, search, sitemap and 장바구니: 상품 목록에 진열, and not a link bound to one buyer."""
        return self.listed and not self.bound_to_buyer

    @publicly_listed.inplace.expression
    @classmethod
    def _publicly_listed_expression(cls):
        return sa.and_(cls.listed.is_(True), sa.not_(cls.bound_to_buyer))

    @hybrid_property
    def limit_reached(self) -> bool:
        """구매 가능 횟수 used up (whatever 진열상태 says: a stale edit form may have re-displayed it)."""
        return self.purchase_limit is not None and self.order_count >= self.purchase_limit

    @limit_reached.inplace.expression
    @classmethod
    def _limit_reached_expression(cls):
        return sa.and_(cls.purchase_limit.is_not(None), cls.order_count >= cls.purchase_limit)

    @hybrid_property
    def in_stock(self) -> bool:
        return not self.stock_managed or self.stock_quantity > 0

    @in_stock.inplace.expression
    @classmethod
    def _in_stock_expression(cls):
        return sa.or_(cls.stock_managed.is_(False), cls.stock_quantity > 0)

    @hybrid_method
    def open_for_sale(self, now: datetime) -> bool:
        """진열함, before 판매 종료일, 구매 가능 횟수 not reached."""
        return self.displayed and not self.sale_ended(now) and not self.limit_reached

    @open_for_sale.inplace.expression
    @classmethod
    def _open_for_sale_expression(cls, now: datetime):
        return sa.and_(
            cls.display_status == DisplayStatus.DISPLAYED,
            sa.or_(cls.sale_ends_at.is_(None), cls.sale_ends_at > now),
            sa.not_(cls.limit_reached),
        )

    @hybrid_method
    def sellable(self, now: datetime, device: str | None = None) -> bool:
        """A buyer on ``device`` ("desktop", "mobile" or None for any) can buy a unit now."""
        on_device = {"desktop": self.show_on_desktop, "mobile": self.show_on_mobile}.get(device or "", True)
        return self.open_for_sale(now) and self.in_stock and on_device

    @sellable.inplace.expression
    @classmethod
    def _sellable_expression(cls, now: datetime, device: str | None = None):
        on_device = {"desktop": cls.show_on_desktop.is_(True), "mobile": cls.show_on_mobile.is_(True)}
        return sa.and_(cls.open_for_sale(now), cls.in_stock, on_device.get(device or "", sa.true()))

    @property
    def main_image(self) -> "ProductImage | None":
        return self.images[0] if self.images else None


class ProductBatch(db.Model):
    """One 개인결제창 일괄 생성: the windows made from one file, keyed by its content so a re-upload makes none."""

    __tablename__ = "product_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(254))
    source_name: Mapped[str] = mapped_column(sa.String(200), default="")


class ProductOption(db.Model):
    """옵션명 (사이즈, 색상): one of up to three groups a product's buyer chooses from."""

    __tablename__ = "product_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("product.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(30))

    product: Mapped[Product] = relationship(back_populates="options")
    values: Mapped[list["ProductOptionValue"]] = relationship(
        back_populates="option", order_by="ProductOptionValue.position", cascade="all, delete-orphan"
    )


class ProductOptionValue(db.Model):
    """옵션값 (S, M, L). Renaming one keeps its id, so its combinations keep their stock."""

    __tablename__ = "product_option_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(sa.ForeignKey("product_option.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(30))

    option: Mapped[ProductOption] = relationship(back_populates="values")


class ProductVariant(db.Model):
    """One combination of 옵션값 (M / 블랙) with its own 추가 금액, 재고 and 판매 여부.

    ``value_key`` is its values' ids in the groups' order ("12.31"); ``label`` their names as the buyer
    reads them, kept in step when a value is renamed (an order line copies it when bought).
    """

    __tablename__ = "product_variant"
    __table_args__ = (
        sa.UniqueConstraint("product_id", "value_key", name="uq_product_variant_values"),
        sa.CheckConstraint("stock_quantity >= 0", name="variant_stock_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("product.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    value_key: Mapped[str] = mapped_column(sa.String(40))
    label: Mapped[str] = mapped_column(sa.String(100))
    extra_price: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # 추가 금액; may be negative
    stock_quantity: Mapped[int] = mapped_column(default=0)
    on_sale: Mapped[bool] = mapped_column(default=True)  # 판매 여부

    product: Mapped[Product] = relationship(back_populates="variants")

    @property
    def value_ids(self) -> list[int]:
        return [int(part) for part in self.value_key.split(".") if part]

    def in_stock(self) -> bool:
        return not self.product.stock_managed or self.stock_quantity > 0

    def available(self) -> bool:
        """Can be chosen: 판매함 and, with 재고관리, a unit left."""
        return self.on_sale and self.in_stock()


class ProductImage(db.Model):
    """One uploaded picture; files are named by content hash (see :mod:`storefront.images`)."""

    __tablename__ = "product_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("product.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    file_name: Mapped[str] = mapped_column(sa.String(80))
    width: Mapped[int]
    height: Mapped[int]

    product: Mapped[Product] = relationship(back_populates="images")

    @property
    def thumb_name(self) -> str:
        return images.thumb_name(self.content_hash)

    @property
    def preview_name(self) -> str:
        return images.preview_name(self.content_hash)


class ProductEvent(db.Model):
    """A product's history: who changed what, and what the shop did by itself (e.g. closing a link)."""

    __tablename__ = "product_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("product.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(40))
    detail: Mapped[str] = mapped_column(sa.Text, default="")

    product: Mapped[Product] = relationship(back_populates="events")


class ShopSettings(db.Model):
    """The shop's own details, edited by the merchant (one row)."""

    __tablename__ = "shop_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    phone: Mapped[str] = mapped_column(sa.String(30), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    bank_name: Mapped[str] = mapped_column(sa.String(50), default="")
    bank_account: Mapped[str] = mapped_column(sa.String(50), default="")
    bank_holder: Mapped[str] = mapped_column(sa.String(50), default="")
    payment_due_days: Mapped[int] = mapped_column(default=3)
    preview_image_hash: Mapped[str | None] = mapped_column(sa.String(64))
    notify_email: Mapped[str] = mapped_column(sa.String(254), default="")
    # 사업자 정보 (전자상거래법 제10조): shown in every shop page's footer. See storefront.business.
    business_name: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    representative: Mapped[str] = mapped_column(sa.String(50), default="", server_default="")
    business_no: Mapped[str] = mapped_column(sa.String(10), default="", server_default="")  # 10 digits
    mail_order_no: Mapped[str] = mapped_column(sa.String(50), default="", server_default="")
    business_address: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    privacy_officer: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    hosting_provider: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    # 구매안전서비스 (escrow or consumer-protection insurance) for bank transfers.
    escrow_provider: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    escrow_url: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    favicon_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # 배송비 (storefront.shipping): the shop's 기본 배송비, what 반품/교환 cost the buyer, the 제주 and
    # 도서산간 extras (by 추가 배송비 지역), and what a new 개인결제창 charges by default.
    shipping_fee_type: Mapped[ShippingFeeType] = mapped_column(
        _enum(ShippingFeeType, "shipping_fee_type", length=16), default=ShippingFeeType.FREE, server_default="free"
    )
    shipping_fee: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    shipping_free_from: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    shipping_quantity_unit: Mapped[int] = mapped_column(default=1, server_default="1")
    return_shipping_fee: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    exchange_shipping_fee: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    jeju_extra_fee: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    remote_extra_fee: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    window_shipping_mode: Mapped[ShippingMode] = mapped_column(
        _enum(ShippingMode, "window_shipping_mode", length=16), default=ShippingMode.FREE, server_default="free"
    )
    # 개인정보 보호 (storefront.access_log, storefront.two_factor): every staff account must use
    # 2단계 인증; a login ends after this many idle minutes; 접속기록 are kept this many years.
    require_two_factor: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    idle_logout_minutes: Mapped[int] = mapped_column(default=30, server_default="30")
    access_log_years: Mapped[int] = mapped_column(default=2, server_default="2")

    __table_args__ = (
        sa.CheckConstraint("payment_due_days BETWEEN 1 AND 30", name="payment_due_days_range"),
        sa.CheckConstraint("shipping_quantity_unit >= 1", name="shipping_quantity_unit_positive"),
        sa.CheckConstraint("idle_logout_minutes BETWEEN 5 AND 480", name="idle_logout_minutes_range"),
        sa.CheckConstraint("access_log_years BETWEEN 1 AND 10", name="access_log_years_range"),
    )


class ShippingRegion(db.Model):
    """추가 배송비 지역: a range of 우편번호 that pays the 제주 or the 도서산간 extra. Data the merchant
    corrects (islands joined to the mainland by a bridge share postcodes with real islands)."""

    __tablename__ = "shipping_region"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # "jeju" or "remote"
    name: Mapped[str] = mapped_column(sa.String(50), default="")
    postcode_from: Mapped[str] = mapped_column(sa.String(5), index=True)
    postcode_to: Mapped[str] = mapped_column(sa.String(5))

    __table_args__ = (
        sa.CheckConstraint("kind IN ('jeju', 'remote')", name="kind_known"),
        sa.CheckConstraint("postcode_from <= postcode_to", name="range_ordered"),
    )


class ContentGeneration(db.Model):
    """One counter, raised by every commit that changes what a shop page can show (storefront.pagecache)."""

    __tablename__ = "content_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class OrderStatus(enum.StrEnum):
    """An order's status; what moves it from one to another is :mod:`storefront.lifecycle`."""

    AWAITING_DEPOSIT = "awaiting_deposit"  # 입금 대기 (bank transfer)
    AWAITING_PAYMENT = "awaiting_payment"  # 결제 대기 (card: the payment window is open)
    CONFIRMING = "confirming"  # 결제 확인 중 (card: our confirm call to the gateway is under way)
    PAID = "paid"  # 결제 완료
    PREPARING = "preparing"  # 배송 준비중
    SHIPPED = "shipped"  # 배송중
    DELIVERED = "delivered"  # 배송 완료
    PURCHASE_CONFIRMED = "purchase_confirmed"  # 구매 확정
    CANCELLED = "cancelled"  # 주문 취소
    REFUNDED = "refunded"  # 환불 완료
    PARTIALLY_REFUNDED = "partially_refunded"  # 부분 환불

    @property
    def label(self) -> str:
        return str(_STATUS_LABELS[self])


_STATUS_LABELS = {
    OrderStatus.AWAITING_DEPOSIT: _l("Awaiting deposit"),
    OrderStatus.AWAITING_PAYMENT: _l("Awaiting payment"),
    OrderStatus.CONFIRMING: _l("Confirming payment"),
    OrderStatus.PAID: _l("Paid"),
    OrderStatus.PREPARING: _l("Preparing shipment"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.DELIVERED: _l("Delivered"),
    OrderStatus.PURCHASE_CONFIRMED: _l("Purchase confirmed"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.REFUNDED: _l("Refunded"),
    OrderStatus.PARTIALLY_REFUNDED: _l("Partially refunded"),
}


class PaymentMethod(enum.StrEnum):
    BANK_TRANSFER = "bank_transfer"  # 무통장입금
    CARD = "card"  # 카드 결제 (Toss Payments)


class PolicyKind(enum.StrEnum):
    TERMS = "terms"  # 이용약관
    PRIVACY = "privacy"  # 개인정보처리방침
    REFUND = "refund"  # 교환/반품/환불 안내
    COLLECTION = "collection"  # 개인정보 수집·이용 동의 (the notice shown at checkout)


class PolicyVersion(db.Model):
    """One saved text of a policy page. Rows are never changed: orders point at the text agreed to."""

    __tablename__ = "policy_version"
    __table_args__ = (sa.Index("ix_policy_version_kind_id", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PolicyKind] = mapped_column(_enum(PolicyKind, "policy_kind", length=16))
    body: Mapped[str] = mapped_column(sa.Text)
    # The merchant's e-mail, or "system" for the default text recorded when a buyer first agreed to it.
    actor: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CashReceiptType(enum.StrEnum):
    NONE = "none"  # 신청 안함
    INCOME_DEDUCTION = "income_deduction"  # 소득공제용 (휴대폰 번호)
    EXPENSE_PROOF = "expense_proof"  # 지출증빙용 (사업자등록번호)


class Order(db.Model):
    __tablename__ = "shop_order"  # "order" is an SQL keyword
    __table_args__ = (sa.CheckConstraint("total_amount >= 0", name="total_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(sa.String(20), unique=True)
    # Only a hash of the buyer's access token is kept; the token lives in the buyer's link.
    access_token_hash: Mapped[str] = mapped_column(sa.String(64))
    # The checkout form's one-time nonce: a double submit finds the first order instead of making a second.
    nonce: Mapped[str] = mapped_column(sa.String(43), unique=True)
    # An 추가 결제: this order pays what ``parent_order_id`` asked for (its status stays its own).
    parent_order_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("shop_order.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus, "order_status"), index=True)
    payment_method: Mapped[PaymentMethod] = mapped_column(_enum(PaymentMethod, "payment_method"))
    total_amount: Mapped[int] = mapped_column(sa.BigInteger)  # 합계: goods + 배송비 + 추가 배송비
    shipping_fee: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    extra_shipping_fee: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    extra_shipping_region: Mapped[str] = mapped_column(sa.String(10), default="", server_default="")  # jeju/remote
    buyer_name: Mapped[str] = mapped_column(sa.String(50))
    buyer_phone: Mapped[str] = mapped_column(sa.String(11))
    buyer_email: Mapped[str] = mapped_column(sa.String(254), default="")
    depositor_name: Mapped[str] = mapped_column(sa.String(50), default="")
    requires_shipping: Mapped[bool] = mapped_column(default=True)
    recipient_name: Mapped[str] = mapped_column(sa.String(50), default="")
    recipient_phone: Mapped[str] = mapped_column(sa.String(11), default="")
    postcode: Mapped[str] = mapped_column(sa.String(5), default="")
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    address_detail: Mapped[str] = mapped_column(sa.String(200), default="")
    delivery_note: Mapped[str] = mapped_column(sa.String(200), default="")
    # The gateway's id of the card payment (Toss paymentKey), once confirmed.
    payment_key: Mapped[str | None] = mapped_column(sa.String(200))
    # What the gateway says the buyer paid with (Toss's method: 카드, 가상계좌, 간편결제 (토스페이)…).
    provider_method: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    # A virtual account's payment secret: a DEPOSIT_CALLBACK webhook must carry it.
    payment_secret: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    # Bank details as shown to the buyer when ordering: later edits of the settings do not change them.
    bank_snapshot: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    paid_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    # The texts the buyer agreed to at checkout, and when (개인정보 수집·이용 동의; 구매조건 확인 및 결제 진행 동의).
    collection_consent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("policy_version.id", ondelete="RESTRICT"))
    terms_consent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("policy_version.id", ondelete="RESTRICT"))
    refund_consent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("policy_version.id", ondelete="RESTRICT"))
    consented_at: Mapped[datetime | None] = mapped_column()
    # 현금영수증 (bank transfers): what the buyer asked for, and its issue.
    cash_receipt_type: Mapped[CashReceiptType] = mapped_column(
        _enum(CashReceiptType, "cash_receipt_type"), default=CashReceiptType.NONE, server_default="none"
    )
    cash_receipt_number: Mapped[str] = mapped_column(sa.String(11), default="", server_default="")  # digits
    cash_receipt_issued_at: Mapped[datetime | None] = mapped_column()
    cash_receipt_key: Mapped[str | None] = mapped_column(sa.String(200))  # Toss receiptKey
    cash_receipt_url: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    # "requested" (Toss: IN_PROGRESS until the tax office answers), "issued", "failed" (due again), "cancelled"
    cash_receipt_status: Mapped[str] = mapped_column(sa.String(16), default="", server_default="")
    cash_receipt_amount: Mapped[int | None] = mapped_column(sa.BigInteger)  # what the receipt stands for now
    cash_receipt_error: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    # Set when the buyer's personal data was erased after the retention period (storefront.retention).
    personal_data_purged_at: Mapped[datetime | None] = mapped_column()
    # 배송 시작: 택배사 (a code of lifecycle.CARRIERS) and 송장번호.
    carrier: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    tracking_no: Mapped[str] = mapped_column(sa.String(30), default="", server_default="")
    shipped_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()

    items: Mapped[list["OrderItem"]] = relationship(
        back_populates="order", order_by="OrderItem.id", cascade="all, delete-orphan"
    )
    events: Mapped[list["OrderEvent"]] = relationship(
        back_populates="order", order_by="OrderEvent.id", cascade="all, delete-orphan"
    )
    collection_consent: Mapped[PolicyVersion | None] = relationship(foreign_keys=[collection_consent_id])
    terms_consent: Mapped[PolicyVersion | None] = relationship(foreign_keys=[terms_consent_id])
    refund_consent: Mapped[PolicyVersion | None] = relationship(foreign_keys=[refund_consent_id])
    payments: Mapped[list["PaymentRecord"]] = relationship(
        back_populates="order", order_by="PaymentRecord.id", cascade="all, delete-orphan"
    )

    @property
    def order_name(self) -> str:
        """What the order is called at the gateway and on receipts: "원두 1kg 외 2건" (as Korean shops write it)."""
        names = [item.product_name for item in self.items]
        name = names[0] if names else self.order_no
        if len(names) > 1:
            name = f"{name} 외 {len(names) - 1}건"
        return name[:100]

    @property
    def goods_amount(self) -> int:
        """상품 금액: the total without 배송비 and 추가 배송비."""
        return self.total_amount - self.shipping_fee - self.extra_shipping_fee

    @property
    def extra_shipping_label(self) -> str:
        return str(SHIPPING_REGION_LABELS.get(self.extra_shipping_region, ""))


class OrderItem(db.Model):
    """What was bought, as it was when bought: the product may change or vanish later."""

    __tablename__ = "order_item"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        sa.CheckConstraint("line_total = unit_price * quantity", name="line_total_matches"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("shop_order.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("product.id", ondelete="SET NULL"), index=True)
    product_name: Mapped[str] = mapped_column(sa.String(200))
    # The combination bought (옵션), as it read then: later renames never change a past order.
    variant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("product_variant.id", ondelete="SET NULL"), index=True
    )
    option_text: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    unit_price: Mapped[int] = mapped_column(sa.BigInteger)
    quantity: Mapped[int]
    line_total: Mapped[int] = mapped_column(sa.BigInteger)
    # The line holds its reservation (it counts against 구매 가능 횟수) ...
    reserved: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # ... and its reservation took units from the product's stock (재고관리 was on when it was made).
    stock_taken: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    order: Mapped[Order] = relationship(back_populates="items")

    @property
    def display_name(self) -> str:
        """What was bought as the buyer chose it: "티셔츠 (M / 블랙)"."""
        return f"{self.product_name} ({self.option_text})" if self.option_text else self.product_name


class OrderEvent(db.Model):
    """One status change of an order: who, when, from, to."""

    __tablename__ = "order_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("shop_order.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(254))
    from_status: Mapped[str | None] = mapped_column(sa.String(24))
    to_status: Mapped[str] = mapped_column(sa.String(24))
    note: Mapped[str] = mapped_column(sa.String(300), default="")

    order: Mapped[Order] = relationship(back_populates="events")


class PaymentKind(enum.StrEnum):
    """What a payment record is: an exchange with a provider, or money the merchant handled by hand."""

    CONFIRM = "confirm"  # the provider's confirm call
    LOOKUP = "lookup"  # looking a payment up at the provider
    WEBHOOK = "webhook"  # a provider's webhook (the payment re-fetched)
    CANCEL = "cancel"  # a refund through the provider (cancel, with cancelAmount when partial)
    DEPOSIT = "deposit"  # 입금 확인: the merchant saw the transfer arrive
    REFUND = "refund"  # the merchant sent money back by bank transfer (환불 계좌)
    REVERSAL = "reversal"  # the provider took a deposit back (가상계좌 DONE → WAITING_FOR_DEPOSIT): not a refund


class PaymentRecord(db.Model):
    """The payment ledger: one row per exchange with a provider and per manual money event.

    ``amount`` is the money the row moved: positive in (paid), negative out (refunded), 0 when the
    exchange moved none (a failed confirm, a lookup). See :mod:`storefront.ledger`.
    """

    __tablename__ = "payment_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("shop_order.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[PaymentKind] = mapped_column(_enum(PaymentKind, "payment_kind", length=16))
    amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # The provider's status of the payment (DONE, CANCELED, PARTIAL_CANCELED…) or ours for manual rows.
    status: Mapped[str] = mapped_column(sa.String(30), default="")
    # The provider's error code, when it refused (REJECT_CARD_COMPANY, ALREADY_CANCELED_PAYMENT…).
    provider_code: Mapped[str] = mapped_column(sa.String(100), default="")
    payment_key: Mapped[str] = mapped_column(sa.String(200), default="")
    actor: Mapped[str] = mapped_column(sa.String(254))
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    # 환불 계좌, for refunds sent by bank transfer.
    refund_bank: Mapped[str] = mapped_column(sa.String(50), default="")
    refund_account: Mapped[str] = mapped_column(sa.String(50), default="")
    refund_holder: Mapped[str] = mapped_column(sa.String(50), default="")
    # Of a refund: the part that gave back 배송비 (and 추가 배송비); the rest was goods.
    shipping_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")

    order: Mapped[Order] = relationship(back_populates="payments")


class Notification(db.Model):
    """Tells the merchant about an order: an unread badge in the admin, and an e-mail outbox row."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(30))
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("shop_order.id", ondelete="CASCADE"), index=True)
    read_at: Mapped[datetime | None] = mapped_column(index=True)
    email_sent_at: Mapped[datetime | None] = mapped_column()
    email_attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")

    order: Mapped[Order] = relationship()


class PushEvent(enum.StrEnum):
    """What a Web Push tells the merchant (storefront.push); each device switches each one on or off.

    The values are also the names of :class:`PushSubscription`'s switches.
    """

    ORDER_PLACED = "order_placed"  # 새 주문
    DEPOSIT_NEEDED = "deposit_needed"  # 입금 확인 필요: a 무통장입금 order was placed
    DEPOSIT_ARRIVED = "deposit_arrived"  # 가상계좌 입금
    CARD_PAID = "card_paid"  # 결제 완료 (카드, 간편결제… through the gateway)
    LINK_VIEWED = "link_viewed"  # 열람: a window bound to a customer was opened for the first time

    @property
    def label(self) -> str:
        return str(PUSH_EVENT_LABELS[self])


PUSH_EVENT_LABELS = {
    PushEvent.ORDER_PLACED: _l("New order"),
    PushEvent.DEPOSIT_NEEDED: _l("Deposit to check"),
    PushEvent.DEPOSIT_ARRIVED: _l("Virtual account deposit"),
    PushEvent.CARD_PAID: _l("Paid"),
    PushEvent.LINK_VIEWED: _l("Opened"),
}


class PushSubscription(db.Model):
    """A browser of a merchant (phone or desktop) that receives Web Push, and the events it takes.

    Endpoint and keys are what the browser's PushManager gave; the row goes when the push service
    answers that it no longer knows the endpoint (404, 410), or when the merchant turns it off.
    """

    __tablename__ = "push_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_user_id: Mapped[int] = mapped_column(sa.ForeignKey("admin_user.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(sa.String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(sa.String(100))  # the browser's P-256 public key, base64url
    auth: Mapped[str] = mapped_column(sa.String(50))  # its 16-byte auth secret, base64url
    device: Mapped[str] = mapped_column(sa.String(60), default="")  # "Android · Chrome", to tell devices apart
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The switches, one per PushEvent (named by its value); 열람 is off until the merchant asks for it.
    order_placed: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    deposit_needed: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    deposit_arrived: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    card_paid: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    link_viewed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    def takes(self, event: PushEvent) -> bool:
        return getattr(self, event.value)

    @property
    def endpoint_mark(self) -> str:
        """A short hash of the endpoint: the page tells which device is the browser showing it, without printing it."""
        return hashlib.sha256(self.endpoint.encode()).hexdigest()[:16]

    @classmethod
    def switch(cls, event: PushEvent):
        return getattr(cls, event.value)


class PushMessage(db.Model):
    """The Web Push outbox: one event for one device, queued in the event's own transaction.

    Sent after the commit (storefront.push). ``claimed_until`` holds the row for the sender that
    claimed it, so two senders never push it twice; a failed send frees it for a retry.
    """

    __tablename__ = "push_message"
    __table_args__ = (
        sa.CheckConstraint("order_id IS NOT NULL OR product_id IS NOT NULL", name="about_order_or_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(sa.ForeignKey("push_subscription.id", ondelete="CASCADE"), index=True)
    event: Mapped[PushEvent] = mapped_column(_enum(PushEvent, "push_event"))
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shop_order.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("product.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_until: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")

    subscription: Mapped[PushSubscription] = relationship()
    order: Mapped[Order | None] = relationship()
    product: Mapped[Product | None] = relationship()


class VapidKey(db.Model):
    """The shop's VAPID key pair, made the first time a device subscribes (one row).

    Browsers subscribe with its public half and every push is signed with its private half, so it
    lives in the database that every app process shares.
    """

    __tablename__ = "vapid_key"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    private_key: Mapped[str] = mapped_column(sa.Text)  # PKCS#8 DER, base64url
    public_key: Mapped[str] = mapped_column(sa.String(100))  # the uncompressed P-256 point, base64url
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessageTemplate(enum.StrEnum):
    """A message the shop sends its buyers (storefront.messaging): an 알림톡 template the merchant
    registers with Kakao, and the SMS/LMS text sent without it. Labels and texts: messaging.templates."""

    ORDER_PLACED_TRANSFER = "order_placed_transfer"  # 주문 접수, 무통장입금: 입금 계좌, 금액, 입금 기한
    ORDER_PLACED_PAID = "order_placed_paid"  # 주문 접수, paid through the gateway (카드, 간편결제…)
    ORDER_PLACED_VIRTUAL_ACCOUNT = "order_placed_virtual_account"  # 주문 접수, 가상계좌 issued: account and due date
    PAYMENT_CONFIRMED = "payment_confirmed"  # 입금 확인 / 결제 완료 (the money arrived after the order)
    SHIPPED = "shipped"  # 배송 시작: 택배사, 송장번호, 배송 조회
    DELIVERED = "delivered"  # 배송 완료
    CANCELLED = "cancelled"  # 주문 취소: 입금 기한 만료 or the merchant's
    REFUNDED = "refunded"  # 환불 완료: amount (and where it went)
    EXTRA_PAYMENT = "extra_payment"  # 추가 결제 요청: its link
    DEPOSIT_REMINDER = "deposit_reminder"  # 입금 기한 임박 (the cron job; off until the merchant turns it on)
    LINK = "link"  # 문자로 보내기: a window's link with the merchant's own text (SMS/LMS only)


class MessageStatus(enum.StrEnum):
    HELD = "held"  # waits for its event (a card order's 주문 접수 waits for the payment)
    PENDING = "pending"  # to send, at due_at (again after a failure)
    SENT = "sent"  # the provider took it
    DELIVERED = "delivered"  # the provider reported it received
    FAILED = "failed"  # reported undelivered, or given up after its tries


class BuyerMessage(db.Model):
    """The buyer-message outbox: one message about an order (or a window's link), queued in its event's
    transaction and sent after the commit (storefront.messaging.outbox).

    ``key`` is unique per order × event, so an event never queues a second message; a sender claims
    the row (``claimed_until``) before sending, so two senders never send it twice. ``unsure`` says
    the last try got no answer: the next one asks the provider first whether the message arrived.
    """

    __tablename__ = "buyer_message"
    __table_args__ = (
        sa.CheckConstraint("order_id IS NOT NULL OR product_id IS NOT NULL", name="about_order_or_product"),
        sa.Index("ix_buyer_message_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    template: Mapped[MessageTemplate] = mapped_column(_enum(MessageTemplate, "message_template", length=32))
    status: Mapped[MessageStatus] = mapped_column(_enum(MessageStatus, "message_status", length=16))
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shop_order.id", ondelete="CASCADE"), index=True)
    # The window whose link it carries (추가 결제 요청, 문자로 보내기).
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("product.id", ondelete="CASCADE"), index=True)
    # The refund it reports (환불 완료).
    payment_record_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payment_record.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(40), default="")  # why the order was cancelled
    to_phone: Mapped[str] = mapped_column(sa.String(11))
    text: Mapped[str] = mapped_column(sa.Text, default="")  # the merchant's own words (문자로 보내기)
    # The buyer's access token, kept only until the 주문 접수 that carries the order's link is sent.
    order_token: Mapped[str | None] = mapped_column(sa.String(43))
    channel: Mapped[str] = mapped_column(sa.String(3), default="")  # what went out: ATA (알림톡), SMS, LMS
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime | None] = mapped_column()  # when to (re)try; None while held
    claimed_until: Mapped[datetime | None] = mapped_column()
    unsure: Mapped[bool] = mapped_column(default=False)
    provider_message_id: Mapped[str] = mapped_column(sa.String(60), default="", index=True)
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    reported_at: Mapped[datetime | None] = mapped_column()

    order: Mapped["Order | None"] = relationship()
    product: Mapped[Product | None] = relationship()
    payment_record: Mapped["PaymentRecord | None"] = relationship()


class MessagingSettings(db.Model):
    """알림 설정 (one row): whether the shop sends its buyers anything, from which number and channel.

    The provider's API key and secret are not here: they come from the environment (config).
    """

    __tablename__ = "messaging_settings"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    sender_number: Mapped[str] = mapped_column(sa.String(11), default="")  # 발신번호, registered with the provider
    kakao_pf_id: Mapped[str] = mapped_column(sa.String(40), default="")  # 카카오 채널's pfId at the provider
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MessageTemplateSetting(db.Model):
    """One message's switch and its 알림톡 템플릿 ID (without an ID it goes as SMS/LMS)."""

    __tablename__ = "message_template_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    template: Mapped[MessageTemplate] = mapped_column(
        _enum(MessageTemplate, "setting_message_template", length=32), unique=True
    )
    enabled: Mapped[bool] = mapped_column(default=True)
    template_id: Mapped[str] = mapped_column(sa.String(40), default="")


class AuditEntry(db.Model):
    """Admin changes that belong to no single product or order: categories, settings, accounts.

    ``actor`` is the e-mail of the account that made the change (kept after the account is removed).
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(30))
    action: Mapped[str] = mapped_column(sa.String(40))
    detail: Mapped[str] = mapped_column(sa.Text, default="")


class AccessAction(enum.StrEnum):
    """수행업무 of a 개인정보 접속기록."""

    VIEW = "view"  # 조회
    EDIT = "edit"  # 수정
    DOWNLOAD = "download"  # 다운로드
    DELETE = "delete"  # 삭제


class PersonalDataAccess(db.Model):
    """개인정보 접속기록: an admin action that showed or changed buyers' personal data.

    Append-only: the app has no route that changes or deletes one, and the database refuses an
    UPDATE, or a DELETE of a row less than a year old (triggers in the migration). Only the
    retention job removes rows, after ShopSettings.access_log_years.
    ``actor`` is the account's e-mail, kept after the account is removed.
    """

    __tablename__ = "personal_data_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(sa.String(254), index=True)
    address: Mapped[str] = mapped_column(sa.String(45), default="")
    action: Mapped[AccessAction] = mapped_column(_enum(AccessAction, "access_action", length=16))
    # Whose data: the order numbers shown or changed (for an export, the count and the first numbers).
    order_numbers: Mapped[str] = mapped_column(sa.Text, default="")
    record_count: Mapped[int] = mapped_column(default=0)
    detail: Mapped[str] = mapped_column(sa.String(200), default="")  # the screen or task, e.g. 주문 상세
    # 다운로드 사유: the purpose chosen (its columns went into the file) and the words given.
    purpose: Mapped[str] = mapped_column(sa.String(20), default="")
    reason: Mapped[str] = mapped_column(sa.String(200), default="")


class LookupAttempt(db.Model):
    """A failed 비회원 주문조회, counted per address and per order number (kept in the database,
    so the limit holds across app processes)."""

    __tablename__ = "lookup_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    address: Mapped[str] = mapped_column(sa.String(64), index=True)
    order_no: Mapped[str] = mapped_column(sa.String(20), index=True)
class LoginAttempt(db.Model):
    """A login that failed (or is being checked), kept for the throttling window: shared by every app process."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    address: Mapped[str] = mapped_column(sa.String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (
        sa.Index("ix_login_attempt_email_created_at", "email", "created_at"),
        sa.Index("ix_login_attempt_address_created_at", "address", "created_at"),
    )
