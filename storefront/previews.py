"""The link-preview card a messenger draws for a product: one rule for the page's tags and the admin's mock."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from .formatting import plain_excerpt
from .images import PREVIEW_SIZE
from .models import Product
from .urls import absolute_url

DEFAULT_IMAGE = "img/og-default.jpg"


@dataclass(frozen=True)
class PreviewCard:
    url: str
    title: str
    description: str
    image_url: str
    image_width: int = PREVIEW_SIZE[0]
    image_height: int = PREVIEW_SIZE[1]


def card_for(product: Product) -> PreviewCard:
    shop = current_app.config["SHOP_NAME"]
    title = product.preview_title or product.name
    description = (
        product.preview_description
        or plain_excerpt(product.description)
        or _("%(product)s, from %(shop)s", product=title, shop=shop)
    )
    if product.main_image:
        image_url = absolute_url("shop.upload", name=product.main_image.preview_name)
    else:
        image_url = absolute_url("static", filename=DEFAULT_IMAGE)
    return PreviewCard(
        url=absolute_url("shop.product", token=product.public_token),
        title=title,
        description=description,
        image_url=image_url,
    )
