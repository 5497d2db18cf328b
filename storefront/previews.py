"""The link-preview card a messenger draws for a product: one rule for the page's tags and the admin's mock."""

from dataclasses import dataclass

from flask_babel import gettext as _

from . import images
from .formatting import plain_excerpt, static_version
from .models import Product
from .settings import shop_settings
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
    settings = shop_settings()
    shop = settings.name
    title = product.preview_title or product.name
    description = (
        product.preview_description
        or plain_excerpt(product.description)
        or _("%(product)s, from %(shop)s", product=title, shop=shop)
    )
    if product.main_image:
        image_url = absolute_url("shop.upload", name=product.main_image.preview_name)
    elif settings.preview_image_hash:
        image_url = absolute_url("shop.upload", name=images.preview_name(settings.preview_image_hash))
    else:
        image_url = absolute_url("static", filename=DEFAULT_IMAGE, v=static_version(DEFAULT_IMAGE))
    return PreviewCard(
        url=absolute_url("shop.product", token=product.public_token),
        title=title,
        description=description,
        image_url=image_url,
    )
