"""배송비: the one place that computes what an order pays for shipping.

The product page, the checkout (and its live update), the order, the Toss amount, the ledger, the
현금영수증 and the exports all take the fee from :func:`order_fee`, and what an order was charged
is kept on it (``shipping_fee``, ``extra_shipping_fee``), so nothing computes it twice.

- A product follows the shop's 기본 배송비 (기본 배송비 따름), ships free (무료배송), or has its own
  fee (개별 배송비). Products that need no shipping never pay one.
- 묶음배송: the lines of one order that follow the shop's fee share one fee, computed on their
  subtotal and quantity; lines with their own fee pay it each.
- 제주 / 도서산간: when something ships to a postcode in an 추가 배송비 지역, the shop's extra for
  that kind of region is added once per order, free shipping or not (that is what it pays for).
"""

import math
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from .extensions import db
from .formatting import won
from .models import SHIPPING_REGION_LABELS as REGION_LABELS
from .models import AuditEntry, Product, ShippingFeeType, ShippingMode, ShippingRegion
from .settings import ShopInfo, shop_settings

FEE_TYPE_LABELS = {
    ShippingFeeType.FREE: _l("Free shipping"),
    ShippingFeeType.PAID: _l("Fixed fee"),
    ShippingFeeType.CONDITIONAL: _l("Free from an amount"),
    ShippingFeeType.PER_QUANTITY: _l("By quantity"),
}
MODE_LABELS = {
    ShippingMode.DEFAULT: _l("Follow the shop's shipping fee"),
    ShippingMode.FREE: _l("Free shipping"),
    ShippingMode.OWN: _l("Own shipping fee"),
}
POSTCODE_LENGTH = 5


@dataclass(frozen=True)
class Rule:
    """One 배송비: its type and amounts."""

    fee_type: ShippingFeeType
    fee: int = 0
    free_from: int = 0  # 무료배송 기준 금액 (조건부 무료배송)
    quantity_unit: int = 1  # 수량 단위 (수량별 부과)

    def charge(self, subtotal: int, quantity: int) -> int:
        """What goods worth ``subtotal`` in ``quantity`` units pay under this rule."""
        if self.fee_type is ShippingFeeType.PAID:
            return self.fee
        if self.fee_type is ShippingFeeType.CONDITIONAL:
            return 0 if subtotal >= self.free_from else self.fee
        if self.fee_type is ShippingFeeType.PER_QUANTITY:
            return self.fee * math.ceil(quantity / max(self.quantity_unit, 1))
        return 0

    def describe(self) -> str:
        """The rule in the words of a product page: "배송비 3,000원 · 50,000원 이상 무료배송"."""
        if self.fee_type is ShippingFeeType.FREE or not self.fee:
            return str(_l("Free shipping"))
        text = str(_l("Shipping %(fee)s", fee=won(self.fee)))
        if self.fee_type is ShippingFeeType.CONDITIONAL:
            return f"{text} · {_l('free from %(amount)s', amount=won(self.free_from))}"
        if self.fee_type is ShippingFeeType.PER_QUANTITY:
            return f"{text} · {_l('per %(n)d pieces', n=self.quantity_unit)}"
        return text


FREE = Rule(ShippingFeeType.FREE)


def shop_rule(info: ShopInfo | None = None) -> Rule:
    info = info or shop_settings()
    return Rule(info.shipping_fee_type, info.shipping_fee, info.shipping_free_from, info.shipping_quantity_unit)


def own_rule(product: Product) -> Rule:
    """The product's 개별 배송비 (what it pays under ShippingMode.OWN)."""
    return Rule(
        product.shipping_fee_type, product.shipping_fee, product.shipping_free_from, product.shipping_quantity_unit
    )


def product_rule(product: Product, info: ShopInfo | None = None) -> Rule | None:
    """The 배송비 a product pays under, or None when it needs no shipping."""
    if not product.requires_shipping:
        return None
    if product.shipping_mode is ShippingMode.FREE:
        return FREE
    if product.shipping_mode is ShippingMode.OWN:
        return own_rule(product)
    return shop_rule(info)


@dataclass(frozen=True)
class Line:
    product: Product
    quantity: int
    unit_price: int | None = None  # 판매가 plus the chosen 옵션's 추가 금액, when there is one

    @property
    def subtotal(self) -> int:
        return (self.product.price if self.unit_price is None else self.unit_price) * self.quantity


@dataclass(frozen=True)
class Fee:
    goods: int  # 상품 금액
    base: int  # 배송비
    extra: int  # 제주 / 도서산간 추가 배송비
    region: str  # "jeju", "remote" or ""
    ships: bool  # something in the order is delivered

    @property
    def total(self) -> int:
        """합계."""
        return self.goods + self.base + self.extra

    @property
    def region_label(self) -> str:
        return str(REGION_LABELS[self.region]) if self.region else ""


def order_fee(lines: list[Line], postcode: str = "", info: ShopInfo | None = None) -> Fee:
    """상품 금액, 배송비 and 추가 배송비 of an order made of ``lines``, delivered to ``postcode``."""
    info = info or shop_settings()
    shipped = [line for line in lines if line.product.requires_shipping]
    bundled = [line for line in shipped if line.product.shipping_mode is ShippingMode.DEFAULT]
    alone = [line for line in shipped if line.product.shipping_mode is not ShippingMode.DEFAULT]
    base = sum(product_rule(line.product, info).charge(line.subtotal, line.quantity) for line in alone)
    if bundled:  # 묶음배송: one 기본 배송비 on what they add up to
        base += shop_rule(info).charge(sum(line.subtotal for line in bundled), sum(line.quantity for line in bundled))
    region = region_of(postcode) if shipped else ""
    extra = {"jeju": info.jeju_extra_fee, "remote": info.remote_extra_fee}.get(region, 0)
    return Fee(sum(line.subtotal for line in lines), base, extra, region if extra else "", bool(shipped))


def region_of(postcode: str) -> str:
    """ "jeju" or "remote" when ``postcode`` lies in an 추가 배송비 지역, else ""."""
    if len(postcode) != POSTCODE_LENGTH or not postcode.isascii() or not postcode.isdigit():
        return ""
    kind = db.session.scalar(
        sa.select(ShippingRegion.kind)
        .where(ShippingRegion.postcode_from <= postcode, ShippingRegion.postcode_to >= postcode)
        .order_by(ShippingRegion.kind)  # "jeju" before "remote" should two ranges overlap
        .limit(1)
    )
    return kind or ""


def product_lines(product: Product) -> list[str]:
    """What the product page says about shipping: its 배송비, then what returns and exchanges cost."""
    rule = product_rule(product)
    if rule is None:
        return []
    info = shop_settings()
    lines = [rule.describe()]
    if info.jeju_extra_fee or info.remote_extra_fee:
        lines.append(str(_l("Jeju and remote islands pay extra (shown at checkout)")))
    if info.return_shipping_fee or info.exchange_shipping_fee:
        lines.append(
            str(
                _l(
                    "Return shipping %(ret)s · exchange shipping %(exchange)s",
                    ret=won(info.return_shipping_fee),
                    exchange=won(info.exchange_shipping_fee),
                )
            )
        )
    return lines


def regions() -> list[ShippingRegion]:
    return list(db.session.scalars(sa.select(ShippingRegion).order_by(ShippingRegion.postcode_from)))


def add_region(kind: str, name: str, postcode_from: str, postcode_to: str, actor: str) -> ShippingRegion:
    region = ShippingRegion(kind=kind, name=name, postcode_from=postcode_from, postcode_to=postcode_to)
    db.session.add(region)
    _record(region, "saved", actor)
    return region


def remove_region(region_id: int, actor: str) -> bool:
    region = db.session.get(ShippingRegion, region_id)
    if region is None:
        return False
    db.session.delete(region)
    _record(region, "removed", actor)
    return True


def _record(region: ShippingRegion, action: str, actor: str) -> None:
    """Who changed the 추가 배송비 지역, and how (상점 설정's history)."""
    detail = f"{region.kind} {region.postcode_from}-{region.postcode_to} {region.name}"[:300]
    db.session.add(AuditEntry(actor=actor, subject="shipping_region", action=action, detail=detail))
    db.session.flush()
