"""The shop's tables, as typed SQLAlchemy 2.0 models."""

import enum
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from . import images
from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_public_token() -> str:
    """128 random bits, URL-safe: what a product's public URL carries instead of its id."""
    return secrets.token_urlsafe(16)


class DisplayStatus(enum.StrEnum):
    DISPLAYED = "displayed"  # 진열함
    HIDDEN = "hidden"  # 진열 안함


class AdminUser(UserMixin, db.Model):
    __tablename__ = "admin_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("category.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    price: Mapped[int]
    description: Mapped[str] = mapped_column(sa.Text, default="")
    display_status: Mapped[DisplayStatus] = mapped_column(
        sa.Enum(
            DisplayStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
            create_constraint=True,
            name="display_status",
        ),
        default=DisplayStatus.DISPLAYED,
    )
    show_on_desktop: Mapped[bool] = mapped_column(default=True)
    show_on_mobile: Mapped[bool] = mapped_column(default=True)
    listed: Mapped[bool] = mapped_column(default=True)
    stock_managed: Mapped[bool] = mapped_column(default=False)
    stock_quantity: Mapped[int] = mapped_column(default=0)
    public_token: Mapped[str] = mapped_column(sa.String(43), unique=True, default=new_public_token)
    # What the messenger card shows instead of the name/description (keeps a customer's name out of it).
    preview_title: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    preview_description: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    category: Mapped[Category | None] = relationship(back_populates="products")
    images: Mapped[list["ProductImage"]] = relationship(
        back_populates="product",
        order_by="ProductImage.position",
        cascade="all, delete-orphan",
    )

    @property
    def displayed(self) -> bool:
        return self.display_status is DisplayStatus.DISPLAYED

    @property
    def sold_out(self) -> bool:
        return self.stock_managed and self.stock_quantity <= 0

    @property
    def main_image(self) -> "ProductImage | None":
        return self.images[0] if self.images else None


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
