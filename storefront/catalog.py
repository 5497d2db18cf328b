"""Catalogue operations: categories and products.

Operations change the session and flush; the view that called them commits
once (or the request rolls back), so a failed save leaves nothing half-done.
"""

import enum
import functools
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import lazy_gettext as _l

from . import (
    images,
    links,
    options,
    pictures,  # noqa: F401  (its listeners remove the files of deleted pictures after the commit)
    stock,
    visibility,
)
from .clock import as_utc
from .extensions import db
from .models import (
    SYSTEM,
    AuditEntry,
    Category,
    DisplayStatus,
    OrderItem,
    Product,
    ProductEvent,
    ProductImage,
    ShippingMode,
    new_public_token,
)
from .options import Options
from .settings import shop_settings
from .text import like_pattern

if TYPE_CHECKING:
    from . import shipping

PARKED_PREFIX = "\t"  # never the start of a saved name: the form trims whitespace
PUBLIC_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,43}$")


class CatalogError(ValueError):
    """A change the catalogue refuses; ``str(exc)`` is a message for the merchant."""


class StockChanged(CatalogError):
    """Orders changed the stock while the merchant was editing it."""

    def __init__(self, current: int):
        super().__init__(
            _l("Orders changed the stock while you were editing: it is now %(n)d. Check it and save again.", n=current)
        )
        self.current = current


class LimitReached(CatalogError):
    """진열함 asked for a product whose 구매 가능 횟수 is used up: it would show but never sell."""

    def __init__(self, order_count: int):
        super().__init__(
            _l(
                "This link has been bought %(n)d times, its purchase limit. To sell it again, raise the purchase "
                "limit; otherwise choose “Not displayed”.",
                n=order_count,
            )
        )


@dataclass
class CategoryRow:
    id: int | None
    name: str
    delete: bool = False


@dataclass
class ProductData:
    name: str
    price: int
    category_id: int | None = None
    description: str = ""
    display_status: DisplayStatus = DisplayStatus.DISPLAYED
    show_on_desktop: bool = True
    show_on_mobile: bool = True
    listed: bool = True
    stock_managed: bool = False
    stock_quantity: int = 0
    # The stock the edit form showed: the save is refused if orders changed it meanwhile.
    stock_seen: int | None = None
    preview_title: str = ""
    preview_description: str = ""
    requires_shipping: bool = True
    shipping_mode: ShippingMode = ShippingMode.DEFAULT
    shipping_rule: "shipping.Rule | None" = None  # 개별 배송비 (kept, though unused, under the other modes)
    max_per_order: int | None = None
    purchase_limit: int | None = None
    sale_ends_at: datetime | None = None
    image_hashes: list[str] = field(default_factory=list)
    customer_name: str = ""
    customer_phone: str = ""  # digits only
    phone_check: bool = False
    options: Options = field(default_factory=Options)


# 개인결제창 설정: the seed's recommended settings for a window made for one customer.
PERSONAL_PAYMENT_PRESET = {
    "display_status": DisplayStatus.DISPLAYED,
    "show_on_desktop": True,
    "show_on_mobile": True,
    "listed": False,
    "stock_managed": True,
    "stock_quantity": 1,
    "purchase_limit": 1,
}


def personal_payment_preset() -> dict:
    """The preset, with the 배송비 the merchant chose for new windows in 상점 설정 (often 무료배송:
    a price quoted to one customer usually includes shipping)."""
    return {**PERSONAL_PAYMENT_PRESET, "shipping_mode": shop_settings().window_shipping_mode}


def ordered_categories() -> list[Category]:
    return list(db.session.scalars(sa.select(Category).order_by(Category.position, Category.id)))


def public_categories(device: visibility.Device | None) -> list[Category]:
    """The shop's menu: only categories holding a product the public may see in lists on ``device``
    (a category of personal payment windows alone stays out of it)."""
    stmt = sa.select(Category).where(visibility.category_has_public_products(device))
    return list(db.session.scalars(stmt.order_by(Category.position, Category.id)))


PERSONAL_PAYMENT_CATEGORY = "개인결제창"


def personal_payment_category_id() -> int | None:
    """The category the seed recommends for personal payment windows, if the shop made it."""
    return db.session.scalar(sa.select(Category.id).where(Category.name == PERSONAL_PAYMENT_CATEGORY))


def category_history(limit: int = 20) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.subject == "category").order_by(AuditEntry.id.desc()).limit(limit)
        )
    )


def save_categories(rows: list[CategoryRow], actor: str = SYSTEM) -> None:
    """Apply the 카테고리 관리 page as a whole: additions, renames, order and deletions.

    Row order is the new display order. Raises :class:`CatalogError` when a
    category to delete still has products, or the page was stale.
    """
    existing = {c.id: c for c in db.session.scalars(sa.select(Category))}
    if any(row.id is not None and row.id not in existing for row in rows):
        raise CatalogError(_l("The categories were changed elsewhere. Reload the page and try again."))

    doomed = [existing[row.id] for row in rows if row.id is not None and row.delete]
    if doomed:
        used = set(
            db.session.scalars(
                sa.select(Product.category_id).where(Product.category_id.in_([c.id for c in doomed])).distinct()
            )
        )
        in_use = [c.name for c in doomed if c.id in used]
        if in_use:
            raise CatalogError(
                _l(
                    "Category %(names)s still has products. Move them to another category first.",
                    names=", ".join(in_use),
                )
            )
        for category in doomed:
            db.session.delete(category)
        db.session.flush()

    kept = [row for row in rows if not row.delete]
    submitted = {row.id for row in rows if row.id is not None}
    taken = {c.name for c in existing.values() if c.id not in submitted}
    clashes = sorted({row.name for row in kept} & taken)
    if clashes:
        raise CatalogError(_l("Another category already has this name: %(names)s", names=", ".join(clashes)))
    changes = {
        "added": [row.name for row in kept if row.id is None],
        "renamed": [
            [existing[row.id].name, row.name]
            for row in kept
            if row.id is not None and existing[row.id].name != row.name
        ],
        "deleted": [category.name for category in doomed],
        "reordered": [row.id for row in kept if row.id is not None]
        != [c.id for c in sorted(existing.values(), key=lambda c: (c.position, c.id)) if c not in doomed],
    }
    # Renames may swap two names; park them first so the unique index never sees a clash.
    for row in kept:
        if row.id is not None and existing[row.id].name != row.name:
            existing[row.id].name = f"{PARKED_PREFIX}{row.id}"
    db.session.flush()
    for position, row in enumerate(kept):
        category = existing[row.id] if row.id is not None else Category()
        category.name = row.name
        category.position = position
        db.session.add(category)
    if any(changes.values()):
        db.session.add(AuditEntry(actor=actor, subject="category", action="saved", detail=json.dumps(changes)))
    db.session.flush()


# The product fields whose changes the product's history records.
AUDITED_FIELDS = (
    "name", "price", "category_id", "display_status", "listed", "show_on_desktop", "show_on_mobile",
    "stock_managed", "stock_quantity", "purchase_limit", "sale_ends_at", "max_per_order",
    "customer_name", "phone_check", "shipping_mode", "shipping_fee_type", "shipping_fee", "shipping_free_from",
    "shipping_quantity_unit",
)  # fmt: skip


def create_product(data: ProductData, actor: str = SYSTEM) -> Product:
    product = Product(stock_quantity=data.stock_quantity if data.stock_managed else 0)
    _apply(product, data)
    db.session.add(product)
    db.session.flush()
    _save_options(product, data)
    _record(product, actor, "created")
    return product


def _save_options(product: Product, data: ProductData) -> None:
    try:
        options.save(product, data.options)
    except options.OptionError as exc:
        raise CatalogError(str(exc)) from exc


def update_product(product: Product, data: ProductData, actor: str = SYSTEM) -> None:
    """Save the edit form. Raises :class:`StockChanged` when orders moved the stock since the form was shown,
    :class:`LimitReached` when it would display a product at its 구매 가능 횟수 (an edit form opened before
    the last order still says 진열함)."""
    if (
        data.display_status is DisplayStatus.DISPLAYED
        and data.purchase_limit is not None
        and product.order_count >= data.purchase_limit
    ):
        raise LimitReached(product.order_count)
    before = {name: getattr(product, name) for name in AUDITED_FIELDS}
    if data.stock_managed and not data.options.enabled and data.stock_quantity != before["stock_quantity"]:
        seen = before["stock_quantity"] if data.stock_seen is None else data.stock_seen
        if not stock.set_quantity(product.id, data.stock_quantity, expected=seen):
            db.session.expire(product, ["stock_quantity"])
            raise StockChanged(product.stock_quantity)
        db.session.expire(product, ["stock_quantity"])
    _apply(product, data)
    _save_options(product, data)
    changed = [
        [name, _plain(before[name]), _plain(getattr(product, name))]
        for name in AUDITED_FIELDS
        if _plain(before[name]) != _plain(getattr(product, name))
    ]
    if changed:
        _record(product, actor, "updated", json.dumps(changed, ensure_ascii=False))
    db.session.flush()


def _plain(value):
    """A field value as JSON keeps it (enums by value, times in UTC ISO format)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return as_utc(value).isoformat(timespec="minutes")
    return value


def _record(product: Product, actor: str, action: str, detail: str = "") -> None:
    db.session.add(ProductEvent(product_id=product.id, actor=actor, action=action, detail=detail))


def duplicate_product(source: Product, actor: str = SYSTEM) -> Product:
    """A copy to adapt for the next customer: not displayed and not listed until the merchant says so."""
    copy = Product(
        category_id=source.category_id,
        name=str(_l("%(name)s (copy)", name=source.name))[:200],
        price=source.price,
        description=source.description,
        display_status=DisplayStatus.HIDDEN,
        show_on_desktop=source.show_on_desktop,
        show_on_mobile=source.show_on_mobile,
        listed=False,
        stock_managed=source.stock_managed,
        stock_quantity=source.stock_quantity,
        preview_title=source.preview_title,
        preview_description=source.preview_description,
        requires_shipping=source.requires_shipping,
        max_per_order=source.max_per_order,
        purchase_limit=source.purchase_limit,
    )
    copy.images = [
        ProductImage(
            position=image.position,
            content_hash=image.content_hash,
            file_name=image.file_name,
            width=image.width,
            height=image.height,
        )
        for image in source.images
    ]
    db.session.add(copy)
    db.session.flush()
    if source.has_options:  # the same 옵션 and combinations, with their 추가 금액, 재고 and 판매 여부
        groups = [options.Group(option.name, [value.name for value in option.values]) for option in source.options]
        names = {value.id: value.name for option in source.options for value in option.values}
        rows = {
            options.row_key(None, tuple(names[value_id] for value_id in variant.value_ids)): options.Row(
                variant.extra_price, variant.stock_quantity, None, variant.on_sale
            )
            for variant in source.variants
        }
        options.save(copy, options.Options(True, groups, rows))
    _record(copy, actor, "duplicated", source.name)
    return copy


def regenerate_token(product: Product, actor: str = SYSTEM) -> None:
    """Give the product a new public URL; the old link stops working at once."""
    product.public_token = new_public_token()
    _record(product, actor, "new_url")
    db.session.flush()


def delete_product(product: Product, actor: str = SYSTEM) -> None:
    """Delete a product nobody has ordered, with its history; its pictures' files go after the commit,
    unless another product or the settings use them (:mod:`storefront.pictures`).

    A product with orders stays: its orders point at it, and the merchant hides it instead. The row
    is locked first, so an order being placed now either is seen here or finds the product gone.
    """
    db.session.execute(sa.select(Product.id).where(Product.id == product.id).with_for_update())
    if db.session.scalar(sa.select(sa.exists().where(OrderItem.product_id == product.id))):
        raise CatalogError(
            _l(
                "“%(name)s” has orders, which keep pointing at it, so it cannot be deleted. To take it off "
                "the shop, set its display status to “Not displayed”.",
                name=product.name,
            )
        )
    detail = json.dumps({"id": product.id, "name": product.name}, ensure_ascii=False)
    db.session.add(AuditEntry(actor=actor, subject="product", action="deleted", detail=detail))
    db.session.delete(product)
    db.session.flush()


def _apply(product: Product, data: ProductData) -> None:
    product.category_id = data.category_id
    product.name = data.name
    product.price = data.price
    product.description = data.description
    product.display_status = data.display_status
    product.show_on_desktop = data.show_on_desktop
    product.show_on_mobile = data.show_on_mobile
    product.listed = data.listed
    product.stock_managed = data.stock_managed
    product.preview_title = data.preview_title
    product.preview_description = data.preview_description
    product.requires_shipping = data.requires_shipping
    product.shipping_mode = data.shipping_mode
    if data.shipping_rule is not None:
        product.shipping_fee_type = data.shipping_rule.fee_type
        product.shipping_fee = data.shipping_rule.fee
        product.shipping_free_from = data.shipping_rule.free_from
        product.shipping_quantity_unit = data.shipping_rule.quantity_unit
    product.max_per_order = data.max_per_order
    product.purchase_limit = data.purchase_limit
    product.sale_ends_at = data.sale_ends_at
    product.customer_name = data.customer_name
    product.customer_phone = data.customer_phone
    product.phone_check = data.phone_check and bool(data.customer_phone)
    _set_images(product, data.image_hashes)


def _set_images(product: Product, hashes: list[str]) -> None:
    current = {image.content_hash: image for image in product.images}
    chosen: list[ProductImage] = []
    for content_hash in dict.fromkeys(hashes):  # first occurrence wins, order kept
        image = current.get(content_hash)
        if image is None:
            stored = images.stored_image(content_hash)
            if stored is None:
                continue
            image = ProductImage(
                content_hash=stored.content_hash,
                file_name=stored.file_name,
                width=stored.width,
                height=stored.height,
            )
        chosen.append(image)
    for position, image in enumerate(chosen):
        image.position = position
    product.images = chosen


def admin_product_select(
    *, q: str = "", category_id: int = 0, display_status: str = "", listed: str = "", link_status: str = ""
) -> sa.Select:
    """The 상품 관리 list, newest first, with images, category and link state loaded up front."""
    status = links.link_status_clause()
    stmt = (
        sa.select(Product)
        .options(
            sa.orm.selectinload(Product.images),
            sa.orm.selectinload(Product.variants),
            sa.orm.joinedload(Product.category),
            sa.orm.with_expression(Product.link_status, status),
        )
        .order_by(Product.id.desc())
    )
    if link_status in {s.value for s in links.LinkStatus}:
        stmt = stmt.where(status == link_status)
    if q:
        stmt = stmt.where(_name_contains(q))
    if category_id:
        stmt = stmt.where(Product.category_id == category_id)
    if display_status in {s.value for s in DisplayStatus}:
        stmt = stmt.where(Product.display_status == DisplayStatus(display_status))
    if listed in ("yes", "no"):
        stmt = stmt.where(Product.listed.is_(listed == "yes"))
    return stmt


@dataclass(frozen=True)
class ProductCard:
    """What a public list shows of one product."""

    public_token: str
    name: str
    price: int
    sold_out: bool
    image_hash: str | None

    @property
    def thumb_name(self) -> str | None:
        return images.thumb_name(self.image_hash) if self.image_hash else None


@dataclass(frozen=True)
class CardPage:
    """One page of a list, paged by product id (keyset), so a deep page costs what the first does."""

    items: list[ProductCard]
    older: int | None  # pass as ?before= for the next page
    newer: int | None  # pass as ?after= for the previous page


def listed_page(
    device: visibility.Device | None,
    *,
    per_page: int,
    category_id: int | None = None,
    q: str = "",
    before: int | None = None,
    after: int | None = None,
) -> CardPage:
    """A page of listed products, newest first, in one query (main image included)."""
    main_image = (
        sa.select(ProductImage.content_hash)
        .where(ProductImage.product_id == Product.id)
        .order_by(ProductImage.position)
        .limit(1)
        .scalar_subquery()
    )
    stmt = sa.select(
        Product.id,
        Product.public_token,
        Product.name,
        Product.price,
        sa.not_(Product.in_stock).label("sold_out"),
        main_image.label("image_hash"),
    ).where(visibility.listed_clause(device))
    if category_id is not None:
        stmt = stmt.where(Product.category_id == category_id)
    if q:
        stmt = stmt.where(_name_contains(q))
    if after is not None:
        rows = db.session.execute(stmt.where(Product.id > after).order_by(Product.id.asc()).limit(per_page + 1)).all()
        more_newer = len(rows) > per_page
        rows = list(reversed(rows[:per_page]))
        newer = rows[0].id if more_newer and rows else None
        older = rows[-1].id if rows else None
    else:
        if before is not None:
            stmt = stmt.where(Product.id < before)
        rows = db.session.execute(stmt.order_by(Product.id.desc()).limit(per_page + 1)).all()
        more_older = len(rows) > per_page
        rows = rows[:per_page]
        older = rows[-1].id if more_older else None
        newer = rows[0].id if before is not None and rows else None
    items = [ProductCard(r.public_token, r.name, r.price, bool(r.sold_out), r.image_hash) for r in rows]
    return CardPage(items, older, newer)


@functools.cache
def _product_by_token_query() -> sa.Select:
    # One query: the product with its category and images joined in. Built once: every product
    # page runs it, and building the statement cost as much as running it.
    return (
        sa.select(Product)
        .where(Product.public_token == sa.bindparam("token"))
        .options(sa.orm.joinedload(Product.images), sa.orm.joinedload(Product.category))
    )


def product_by_token(token: str) -> Product | None:
    if not PUBLIC_TOKEN_RE.match(token):
        return None
    return db.session.execute(_product_by_token_query(), {"token": token}).unique().scalar_one_or_none()


def _name_contains(text: str):
    """Case-insensitive substring match on the product name, with LIKE wildcards taken literally."""
    return Product.name.ilike(like_pattern(text), escape="\\")
