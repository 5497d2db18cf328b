"""The one rule for what the public may see of a product, on which surface and device.

Every public view asks here. A product is *listed* (home, category pages,
search, sitemap, "new" blocks) only when it is 진열함, 상품 목록에 진열 = 진열함,
enabled for the visitor's device and not bound to one buyer (휴대폰 번호 뒤 4자리 확인).
Its direct link works for 진열함 products whatever 상품 목록에 진열 says — that is what makes a personal payment window.
"""

import enum
import re
from datetime import datetime

import sqlalchemy as sa

from .models import Category, Product, utcnow


class Device(enum.StrEnum):
    DESKTOP = "desktop"
    MOBILE = "mobile"


class LinkState(enum.Enum):
    AVAILABLE = "available"
    ENDED = "ended"  # 진열 안함: the sale-ended page, 410
    OTHER_DEVICE = "other_device"  # 진열할 환경 excludes this device: explained, 404


_MOBILE_RE = re.compile(r"Mobi|Android|iPhone|iPod|iPad|KAKAOTALK|Windows Phone|Opera Mini", re.I)
_SCRAPER_RE = re.compile(
    r"facebookexternalhit|kakaotalk-scrap|Slackbot|TelegramBot|Twitterbot|Discordbot|"
    r"LinkedInBot|WhatsApp|line-poker|Yeti|Daumoa|Googlebot|bingbot|Applebot|Pinterest|Mastodon|Synapse|"
    r"(?<!cu)bot\b|crawler|spider",  # and any other bot (but not the Cubot phone)
    re.I,
)


def device_for(user_agent: str | None) -> Device:
    return Device.MOBILE if user_agent and _MOBILE_RE.search(user_agent) else Device.DESKTOP


def is_scraper(user_agent: str | None) -> bool:
    return bool(user_agent and _SCRAPER_RE.search(user_agent))


def _device_clause(device: Device | None):
    if device is Device.DESKTOP:
        return Product.show_on_desktop.is_(True)
    if device is Device.MOBILE:
        return Product.show_on_mobile.is_(True)
    return sa.or_(Product.show_on_desktop.is_(True), Product.show_on_mobile.is_(True))


def listed_clause(device: Device | None, now: datetime | None = None):
    """SQL condition for products that may appear on any list for ``device``.

    ``device=None`` means "some device" (the sitemap, which serves every visitor).
    """
    return sa.and_(
        Product.open_for_sale(now or utcnow()),
        Product.publicly_listed,
        _device_clause(device),
    )


def link_state(product: Product, device: Device | None, now: datetime | None = None) -> LinkState:
    """What the direct link shows. ``device=None`` is a link-preview scraper: never blocked by device."""
    if not product.open_for_sale(now or utcnow()):
        return LinkState.ENDED
    if device is Device.DESKTOP and not product.show_on_desktop:
        return LinkState.OTHER_DEVICE
    if device is Device.MOBILE and not product.show_on_mobile:
        return LinkState.OTHER_DEVICE
    return LinkState.AVAILABLE


def indexable(product: Product, state: LinkState) -> bool:
    """Search engines may index a product page only when it is listed and on sale at its link."""
    return state is LinkState.AVAILABLE and product.publicly_listed


def can_buy(product: Product, device: Device | None) -> bool:
    """The buy button and the checkout: :meth:`Product.sellable`, the rule the stock reservation uses too."""
    return product.sellable(utcnow(), device.value if device else None)


def category_has_public_products(device: Device | None, now: datetime | None = None):
    """SQL condition on Category: it holds a product the public may see in lists on ``device``."""
    return sa.exists().where(Product.category_id == Category.id, listed_clause(device, now))
