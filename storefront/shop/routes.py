"""Public views. What may be shown is decided in :mod:`storefront.visibility`, never here."""

import re

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from .. import catalog, images, previews
from ..extensions import db
from ..i18n import LANG_COOKIE
from ..models import Category, Product
from ..text import clean_line
from ..urls import absolute_url, local_path
from ..visibility import LinkState, can_buy, device_for, is_scraper, link_state, listed_clause
from . import bp

NOINDEX = "noindex, nofollow"


def _visitor_device():
    return device_for(request.user_agent.string)


def _page_number() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1


def _paginate(stmt):
    return db.paginate(
        stmt,
        page=_page_number(),
        per_page=current_app.config["PRODUCTS_PER_PAGE"],
        error_out=False,
    )


@bp.get("/")
def home():
    page = _paginate(catalog.listed_products_select(_visitor_device()))
    return render_template("shop/list.html", page=page, heading=None, categories=_categories())


@bp.get("/categories/<int:category_id>")
def category(category_id: int):
    category = db.get_or_404(Category, category_id)
    page = _paginate(catalog.listed_products_select(_visitor_device(), category_id=category.id))
    return render_template(
        "shop/list.html", page=page, heading=category.name, category=category, categories=_categories()
    )


@bp.get("/search")
def search():
    q = re.sub(r"\s+", " ", clean_line(request.args.get("q")))[:100]
    page = _paginate(catalog.listed_products_select(_visitor_device(), q=q)) if q else None
    return render_template("shop/search.html", page=page, q=q, categories=_categories())


def _categories():
    return catalog.ordered_categories()


@bp.route("/products/<token>", methods=["GET"])
def product(token: str):
    product = catalog.product_by_token(token)
    if product is None:
        abort(404)
    user_agent = request.user_agent.string
    device = None if is_scraper(user_agent) else device_for(user_agent)
    state = link_state(product, device)
    if state is LinkState.ENDED:
        response = make_response(render_template("shop/ended.html"), 410)
    elif state is LinkState.OTHER_DEVICE:
        response = make_response(render_template("shop/other_device.html", product=product), 404)
    else:
        response = make_response(
            render_template(
                "shop/product.html",
                product=product,
                card=previews.card_for(product),
                can_buy=can_buy(product, device),
            )
        )
    if state is not LinkState.AVAILABLE or not product.listed:
        response.headers["X-Robots-Tag"] = NOINDEX
    return response


@bp.get("/products/<token>/buy")
def buy(token: str):
    product = catalog.product_by_token(token)
    if product is None:
        abort(404)
    return render_template("shop/ordering_closed.html", product=product)


@bp.get("/uploads/<name>")
def upload(name: str):
    if not images.STORED_NAME_RE.match(name):
        abort(404)
    response = send_from_directory(current_app.config["UPLOAD_FOLDER"], name, max_age=31536000)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.get("/sitemap.xml")
def sitemap():
    tokens = db.session.scalars(
        sa.select(Product.public_token).where(listed_clause(None)).order_by(Product.id.desc()).limit(50_000)
    )
    response = make_response(
        render_template(
            "shop/sitemap.xml",
            home=absolute_url("shop.home"),
            categories=[absolute_url("shop.category", category_id=c.id) for c in _categories()],
            products=[absolute_url("shop.product", token=token) for token in tokens],
        )
    )
    response.mimetype = "application/xml"
    return response


@bp.get("/robots.txt")
def robots():
    # Product pages stay allowed: a Disallow would also stop messengers from drawing previews.
    body = "User-agent: *\nDisallow: /admin/\nSitemap: {}\n".format(absolute_url("shop.sitemap"))
    return current_app.response_class(body, mimetype="text/plain")


@bp.get("/lang/<code>")
def set_language(code: str):
    response = redirect(local_path(request.args.get("next"), url_for("shop.home")))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
