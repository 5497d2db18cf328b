"""The link-preview card a messenger draws for a product: one rule for the page's tags and the admin's mock."""

from dataclasses import dataclass

from flask_babel import gettext as _

from . import images, links
from .formatting import plain_excerpt, static_version
from .models import Product
from .settings import shop_settings
from .storage import picture_url
from .urls import absolute_url

DEFAULT_IMAGE = "img/og-default.jpg"


@dataclass(frozen=True)
class PreviewCard:
    url: str
    title: str
    description: str
    image_url: str
    image_width: int = images.PREVIEW_SIZE[0]
    image_height: int = images.PREVIEW_SIZE[1]


def card_for(product: Product) -> PreviewCard:
    """The card's text and image. A window bound to a customer never shows their name on it;
    one that asks for the phone's last four digits shows only the shop."""
    settings = shop_settings()
    shop = settings.name
    url = absolute_url("shop.product", token=product.public_token)
    if links.gated(product):
        return PreviewCard(
            url=url,
            title=shop,
            description=settings.description or _("A payment link from %(shop)s", shop=shop),
            image_url=_shop_image_url(settings),
        )
    if product.customer_name:
        # The merchant's own card text, unless it names the customer.
        own_title, own_description = (
            "" if product.customer_name in text else text
            for text in (product.preview_title, product.preview_description)
        )
        title = own_title or _("Personal payment window from %(shop)s", shop=shop)
        description = own_description or title
    else:
        title = product.preview_title or product.name
        description = (
            product.preview_description
            or plain_excerpt(product.description)
            or _("%(product)s, from %(shop)s", product=title, shop=shop)
        )
    if product.main_image:
        image_url = picture_url(product.main_image.preview_name, external=True)
    else:
        image_url = _shop_image_url(settings)
    return PreviewCard(url=url, title=title, description=description, image_url=image_url)


def _shop_image_url(settings) -> str:
    if settings.preview_image_hash:
        return picture_url(images.preview_name(settings.preview_image_hash), external=True)
    return absolute_url("static", filename=DEFAULT_IMAGE, v=static_version(DEFAULT_IMAGE))
