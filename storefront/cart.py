"""장바구니: what a visitor means to buy, kept in their session (the shop has no accounts).

- Only listed products go in. A personal payment window is one buyer's agreed price: it is bought
  alone through its link (its page offers 구매하기, never 장바구니 담기).
- A line remembers the unit price the buyer saw when adding it. When the product's price, stock or
  display has changed since, the cart says so and the line is left out of the order: nothing is ever
  ordered at a price the buyer did not see (:func:`accept_price` takes the new one when they say so).
- The header's count is read from a cookie by the page's script (:data:`COUNT_COOKIE`), so the shop
  pages every visitor shares are kept whole, without a per-visitor number baked in.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm
from flask import session
from flask_babel import lazy_gettext as _l

from . import options, orders, shipping
from .clock import utcnow
from .extensions import db
from .formatting import won
from .models import Product, ProductVariant

SESSION_KEY = "cart"
COUNT_COOKIE = "cart_n"
MAX_LINES = 30


@dataclass(frozen=True)
class CartLine:
    index: int
    product: Product | None
    variant: ProductVariant | None
    quantity: int
    seen_price: int
    problem: str = ""  # why the line is left out of the order ("" when it can be ordered)
    price_changed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def unit_price(self) -> int:
        return options.unit_price(self.product, self.variant) if self.product else self.seen_price

    @property
    def total(self) -> int:
        return self.unit_price * self.quantity

    def order_line(self) -> orders.Line:
        return orders.Line(self.product, self.quantity, self.variant)


def can_hold(product: Product) -> bool:
    """A product a cart may take: publicly listed, and not a window made for one buyer or an 추가 결제."""
    return (
        product.publicly_listed
        and not product.customer_name
        and not product.customer_phone
        and product.extra_for_order_id is None
    )


def _stored() -> list[dict]:
    raw = session.get(SESSION_KEY)
    return [line for line in raw if isinstance(line, dict)] if isinstance(raw, list) else []


def _save(lines: list[dict]) -> None:
    session[SESSION_KEY] = lines[:MAX_LINES]


def count() -> int:
    return len(_stored())


def add(product: Product, variant: ProductVariant | None, quantity: int, device: str | None) -> str | None:
    """Put ``quantity`` of the product (that 옵션 combination) in the cart; a message when it cannot."""
    if not can_hold(product):
        return str(_l("This product is bought on its own page."))
    if not product.sellable(utcnow(), device) or (variant is not None and not variant.available()):
        return str(_l("Sorry, this product has just sold out."))
    lines = _stored()
    variant_id = variant.id if variant is not None else None
    same = next((line for line in lines if line.get("p") == product.id and line.get("v") == variant_id), None)
    wanted = quantity + (same["q"] if same else 0)
    limit = orders.max_quantity(product, variant)
    if wanted > limit:
        return str(_l("That many are not available. Lower the quantity.") + " " + _l("Up to %(n)d", n=limit))
    if same is None and len(lines) >= MAX_LINES:
        return str(_l("The cart holds up to %(n)d lines.", n=MAX_LINES))
    price = options.unit_price(product, variant)
    if same is not None:
        same.update(q=wanted, u=price)
    else:
        lines.append({"p": product.id, "v": variant_id, "q": quantity, "u": price})
    _save(lines)
    return None


def lines(device: str | None, now: datetime | None = None) -> list[CartLine]:
    """The cart as it stands now, each line with why it cannot be ordered (if it cannot)."""
    stored = _stored()
    ids = {line.get("p") for line in stored if isinstance(line.get("p"), int)}
    products = {
        product.id: product
        for product in db.session.scalars(
            sa.select(Product)
            .where(Product.id.in_(ids))
            .options(sa.orm.selectinload(Product.variants), sa.orm.selectinload(Product.images))
        )
    }
    now = now or utcnow()
    result = []
    for index, line in enumerate(stored):
        product = products.get(line.get("p"))
        variant = options.variant_by_id(product, line.get("v")) if product is not None else None
        quantity = line.get("q") if isinstance(line.get("q"), int) and line.get("q") > 0 else 1
        seen = line.get("u") if isinstance(line.get("u"), int) else 0
        problem, changed = _problem(product, variant, line.get("v"), quantity, seen, device, now)
        result.append(CartLine(index, product, variant, quantity, seen, problem, changed))
    return result


def _problem(product, variant, variant_id, quantity, seen, device, now) -> tuple[str, bool]:
    if product is None or not can_hold(product) or not product.open_for_sale(now):
        return str(_l("No longer on sale")), False
    if not product.sellable(now, device):
        return str(_l("Sold out")), False
    if product.has_options and (variant is None or not variant.on_sale) or (variant_id and variant is None):
        return str(_l("This option is no longer on sale")), False
    if variant is not None and not variant.available():
        return str(_l("Sold out")), False
    limit = orders.max_quantity(product, variant)
    if quantity > limit:
        return str(_l("Only %(n)d left: lower the quantity", n=limit)), False
    price = options.unit_price(product, variant)
    if price != seen:
        return str(_l("The price changed from %(old)s to %(new)s", old=won(seen), new=won(price))), True
    return "", False


def set_quantities(quantities: dict[int, int]) -> None:
    stored = _stored()
    for index, quantity in quantities.items():
        if 0 <= index < len(stored) and 1 <= quantity <= 99:
            stored[index]["q"] = quantity
    _save(stored)


def remove(indexes: set[int]) -> int:
    stored = _stored()
    kept = [line for index, line in enumerate(stored) if index not in indexes]
    _save(kept)
    return len(stored) - len(kept)


def accept_price(index: int, device: str | None) -> None:
    """The buyer saw the new price (바뀐 가격으로 담기): the line now stands at it."""
    stored = _stored()
    for line in lines(device):
        if line.index == index and line.product is not None and line.price_changed:
            stored[index]["u"] = line.unit_price
    _save(stored)


def remove_ordered(ordered: list[CartLine]) -> None:
    """After the order: the lines it bought leave the cart; those left out stay, to be seen again."""
    remove({line.index for line in ordered})


def fee(cart_lines: list[CartLine], postcode: str = "") -> shipping.Fee:
    """상품 금액, one 묶음 배송비 (as the shop computes it) and 합계 of the lines that can be ordered."""
    ready = [line for line in cart_lines if line.ok]
    ships = any(line.product.requires_shipping for line in ready)
    return shipping.order_fee(
        [shipping.Line(line.product, line.quantity, line.unit_price) for line in ready], postcode if ships else ""
    )
