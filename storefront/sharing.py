"""Ways to send a product link: the phone's share sheet, QR code, text message and e-mail (seed step 4)."""

import io
from dataclasses import dataclass
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from flask_babel import gettext as _

from .models import Product
from .settings import shop_settings
from .urls import absolute_url


@dataclass(frozen=True)
class ShareLinks:
    url: str
    # What the share sheet, the text message and the e-mail show: the preview title, so a customer's
    # name kept out of the link preview stays out of them too.
    title: str
    text: str
    message: str  # the text message: title and link
    sms: str
    mailto: str


def links_for(product: Product) -> ShareLinks:
    url = absolute_url("shop.product", token=product.public_token)
    shop = shop_settings().name
    title = share_title(product)
    message = _("[%(shop)s] %(title)s\nPay here: %(url)s", shop=shop, title=title, url=url)
    subject = _("[%(shop)s] %(title)s", shop=shop, title=title)
    return ShareLinks(
        url=url,
        title=title,
        text=subject,
        message=message,
        # "sms:?&body=" is the form both Android and iOS messaging apps accept.
        sms="sms:?&body=" + quote(message),
        mailto="mailto:?subject=" + quote(subject) + "&body=" + quote(message),
    )


def share_title(product: Product) -> str:
    """What shared texts call the window: its preview title or name, unless that names the customer
    it is made for (the merchant may still type the name into a message)."""
    title = product.preview_title or product.name
    if product.customer_name and product.customer_name in title:
        return _("Personal payment window")
    return title


def qr_svg(url: str) -> bytes:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
