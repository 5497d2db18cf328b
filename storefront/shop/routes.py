"""Public views. What may be shown is decided in :mod:`storefront.visibility`, never here."""

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from .. import (
    cart,
    catalog,
    extra_payments,
    guest_lookup,
    images,
    lifecycle,
    links,
    messaging,
    options,
    orders,
    pagecache,
    payments,
    previews,
    security,
    shipping,
    storage,
)
from ..extensions import csrf, db
from ..formatting import won
from ..i18n import LANG_COOKIE
from ..messaging import outbox
from ..messaging.solapi import webhook_secret_matches
from ..models import Order, OrderStatus, PaymentMethod, Product, ProductVariant
from ..numbers import parse_int
from ..payments.toss import ConfirmResult, GatewayUnreachable, widget_fields
from ..security import allow_postcode_service, allow_toss_widget
from ..settings import shop_settings, split_bank_line
from ..text import clean_line
from ..urls import absolute_url, local_path, query_id
from ..visibility import LinkState, can_buy, device_for, indexable, is_scraper, link_state, listed_clause
from . import bp
from .forms import CheckoutForm, GateForm

NOINDEX = "noindex, nofollow"


def _visitor_device():
    return device_for(request.user_agent.string)


def _list_page(**filters) -> catalog.CardPage:
    return catalog.listed_page(
        _visitor_device(),
        per_page=current_app.config["PRODUCTS_PER_PAGE"],
        before=query_id("before"),
        after=query_id("after"),
        **filters,
    )


LIST_ARGS = ("before", "after")


@bp.get("/")
@pagecache.keep(reads=LIST_ARGS)
def home():
    return render_template("shop/list.html", page=_list_page(), heading=None, categories=_categories())


@bp.get("/categories/<id:category_id>")
@pagecache.keep(reads=LIST_ARGS)
def category(category_id: int):
    categories = _categories()
    category = next((c for c in categories if c.id == category_id), None)
    if category is None:
        abort(404)
    page = _list_page(category_id=category.id)
    return render_template("shop/list.html", page=page, heading=category.name, category=category, categories=categories)


@bp.get("/search")
@pagecache.keep(reads=(*LIST_ARGS, "q"))
def search():
    q = re.sub(r"\s+", " ", clean_line(request.args.get("q")))[:100]
    page = _list_page(q=q) if q else None
    return render_template("shop/search.html", page=page, q=q, categories=_categories())


def _categories():
    return catalog.public_categories(_visitor_device())


@bp.route("/products/<token>", methods=["GET"])
@pagecache.keep
def product(token: str):
    product = catalog.product_by_token(token)
    if product is None:
        abort(404)
    if not links.is_unlocked(product):
        return _gate_page(product, GateForm(formdata=None))
    user_agent = request.user_agent.string
    device = None if is_scraper(user_agent) else device_for(user_agent)
    state = link_state(product, device)
    may_index = indexable(product, state)
    closed = _closed_link_page(product, state)
    in_cart = cart.can_hold(product) and can_buy(product, device)  # 장바구니 담기 (a window is bought alone)
    if closed is not None:
        response = make_response(closed)
    else:
        response = make_response(
            render_template(
                "shop/product.html",
                product=product,
                card=previews.card_for(product),
                can_buy=can_buy(product, device),
                taking_payments=payments.taking_payments(),
                shipping_lines=shipping.product_lines(product),
                indexable=may_index,
                view_token=pagecache.fresh(links.view_token, product.public_token)
                if links.tracks_views(product)
                else None,
                in_cart=in_cart,
                csrf_field=pagecache.fresh(generate_csrf) if in_cart else None,
            )
        )
    if not may_index:
        response.headers["X-Robots-Tag"] = NOINDEX
    return response


def _gate_page(product: Product, form: GateForm, result: links.GateResult | None = None, status: int = 200):
    """What a link bound to one buyer shows until the last four digits of their phone are entered."""
    response = make_response(
        render_template(
            "shop/gate.html",
            product=product,
            form=form,
            card=previews.card_for(product),
            result=result,
            locked=links.locked_until(product) is not None,
        ),
        status,
    )
    return _private(response)


@bp.post("/products/<token>/unlock")
def product_unlock(token: str):
    product = catalog.product_by_token(token)
    if product is None:
        abort(404)
    if not links.gated(product):
        return redirect(url_for("shop.product", token=token))
    form = GateForm()
    if not form.validate():
        return _gate_page(product, form, status=422)
    result = links.try_digits(product, form.digits.data)
    db.session.commit()
    if result is links.GateResult.OPENED:
        return redirect(url_for("shop.product", token=token))
    form.digits.data = ""
    return _gate_page(product, form, result, status=429 if result is links.GateResult.LOCKED else 422)


@bp.post("/products/<token>/viewed")
# No CSRF token: the beacon carries a token signed for this product by the page that sent it
# (links.view_token), which a third-party site cannot mint; and the endpoint acts on no one's
# session, so a forged request could at most do what opening the link does, count one opening.
@csrf.exempt
def product_viewed(token: str):
    if not links.valid_view_token(request.form.get("v", ""), token):
        return "", 400
    if not links.is_automated(request.headers, request.user_agent.string) and not current_user.is_authenticated:
        links.record_view(token)
        db.session.commit()
    return "", 204


@bp.route("/products/<token>/buy", methods=["GET", "POST"])
@pagecache.keep(reads=("option-*", "quantity"))
def checkout(token: str):
    product = catalog.product_by_token(token)
    if product is None:
        abort(404)
    device = device_for(request.user_agent.string)
    unavailable = _unavailable_page(product, device)
    if unavailable is not None:
        return unavailable
    choice = _option_choice(product)
    methods = payments.available_methods(_checkout_fee(product, 1, "", choice.variant).total)  # 배송비 counts
    if not methods:
        return render_template("shop/checkout.html", product=product, form=None, choice=choice), 503
    form = CheckoutForm(
        requires_shipping=product.requires_shipping,
        max_quantity=orders.max_quantity(product, choice.variant),
        methods=methods,
    )
    postcode_script = allow_postcode_service() if product.requires_shipping else None
    if request.method == "GET":
        form.nonce.data = pagecache.fresh(orders.new_nonce)
        pagecache.fresh(generate_csrf)  # the value form.csrf_token shows
        if product.customer_name or product.customer_phone:  # a window bound to one buyer
            form.buyer_name.data = product.customer_name
            form.buyer_phone.data = product.customer_phone
        asked = parse_int(request.args.get("quantity"), minimum=1, maximum=form.max_quantity)
        form.quantity.data = asked or form.quantity.data  # 바로 구매 with a quantity chosen on the product page
        return _checkout_page(product, form, postcode_script, choice=choice)

    refusal = None
    if form.validate() and not choice.problem:
        try:
            placed = orders.place_order(
                product, form.checkout_data(), orders.valid_nonce(form.nonce.data), variant=choice.variant
            )
        except orders.OrderRefused as exc:
            db.session.rollback()
            refusal = exc.reason
        else:
            db.session.commit()
            return _redirect_to_order(placed)
    return _checkout_page(product, form, postcode_script, refusal, choice), 409 if refusal else 422


@dataclass(frozen=True)
class OptionChoice:
    """The 옵션 combination the request names (the product page's selects, then the checkout's)."""

    variant: ProductVariant | None = None
    problem: str = ""  # why the choice cannot be bought (nothing chosen yet, sold out, not on sale)
    chosen: dict = field(default_factory=dict)  # group id → value id, to show the selects as sent


def _option_choice(product: Product) -> OptionChoice:
    if not product.has_options:
        return OptionChoice()
    chosen = {option.id: request.values.get(f"option-{option.id}", "") for option in product.options}
    try:
        return OptionChoice(options.chosen_variant(product, request.values), chosen=chosen)
    except options.OptionError as exc:
        return OptionChoice(problem=str(exc), chosen=chosen)


def _checkout_fee(product, quantity, postcode, variant=None) -> shipping.Fee:
    """상품 금액, 배송비 and 합계 for what the checkout holds now (a quantity it would refuse counts as 1)."""
    limit = orders.max_quantity(product, variant)
    quantity = quantity if isinstance(quantity, int) and 0 < quantity <= limit else 1
    line = shipping.Line(product, quantity, options.unit_price(product, variant))
    return shipping.order_fee([line], postcode if product.requires_shipping else "")


def _checkout_page(product, form: CheckoutForm, postcode_script, refusal=None, choice=None) -> str:
    choice = choice or OptionChoice()
    fee = _checkout_fee(product, form.quantity.data, form.postcode.data or "", choice.variant)
    form.expected_total.data = str(fee.total)  # the 합계 this page shows is the one an order is placed for
    return render_template(
        "shop/checkout.html",
        product=product,
        form=form,
        fee=fee,
        refusal=refusal,
        postcode_script=postcode_script,
        choice=choice,
    )


@bp.get("/products/<token>/shipping-fee")
def checkout_fee(token: str):
    """The checkout's amounts for another quantity, postcode or 옵션 (its script asks as the buyer types)."""
    product = catalog.product_by_token(token)
    if product is None or _unavailable_page(product, device_for(request.user_agent.string)) is not None:
        abort(404)
    postcode = postcode_arg()
    variant = _option_choice(product).variant
    fee = _checkout_fee(product, parse_int(request.args.get("quantity"), minimum=1), postcode, variant)
    lines = render_template("shop/_fee_lines.html", fee=fee)
    unit = options.unit_price(product, variant)
    return _private(
        make_response({"total": fee.total, "total_text": won(fee.total), "lines": lines, "unit_text": won(unit)})
    )


def postcode_arg() -> str:
    """The postcode a checkout's script asks the amounts for (digits only)."""
    return re.sub(r"\D", "", request.args.get("postcode", ""))[: shipping.POSTCODE_LENGTH]


def _closed_link_page(product, state: LinkState):
    """The page a link shows when it does not show the product: sale ended (410), other device (404)."""
    if state is LinkState.ENDED:
        return render_template("shop/ended.html"), 410
    if state is LinkState.OTHER_DEVICE:
        return render_template("shop/other_device.html", product=product), 404
    return None


def _unavailable_page(product, device):
    """The page to show instead of the checkout when this product cannot be bought here and now."""
    if not links.is_unlocked(product):
        return redirect(url_for("shop.product", token=product.public_token))
    closed = _closed_link_page(product, link_state(product, device))
    if closed is not None:
        return closed
    if not can_buy(product, device):
        return redirect(url_for("shop.product", token=product.public_token))
    return None


ORDER_TOKENS = "order_tokens"


def _redirect_to_order(placed: orders.PlacedOrder):
    """Remember the buyer's access token in their session, then show the order (POST/redirect/GET)."""
    tokens = dict(session.get(ORDER_TOKENS, {}))
    if placed.access_token:
        tokens[placed.order.order_no] = placed.access_token
        session[ORDER_TOKENS] = dict(list(tokens.items())[-10:])
    token = tokens.get(placed.order.order_no)
    if token is None:
        # The same form was sent again from somewhere that never saw the first answer.
        return render_template("shop/order_repeated.html"), 409
    return redirect(url_for("shop.order", order_no=placed.order.order_no, t=token))


def _buyer_order(order_no: str) -> Order:
    order = orders.order_for_buyer(order_no, request.args.get("t"))
    if order is None and guest_lookup.granted(order_no):
        order = orders.find_by_order_no(order_no)  # found through 비회원 주문조회 in this browser
    if order is None:
        abort(404)
    if lifecycle.expire_if_due(order):
        db.session.commit()
    return order


def _private(response):
    response.headers["X-Robots-Tag"] = NOINDEX
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/orders/<order_no>")
def order(order_no: str):
    order = _buyer_order(order_no)
    card = payments.provider_for(PaymentMethod.CARD)
    error = None
    if order.status is OrderStatus.CONFIRMING:
        try:
            card.reconcile(order)  # a confirm that timed out earlier: ask the gateway how it ended
        except payments.PaymentError as exc:
            error = str(exc) or exc.code  # refused now: the order is payable again
    if order.payment_method is PaymentMethod.CARD and order.status is OrderStatus.AWAITING_PAYMENT:
        return _private(make_response(_card_page(order, card, error=error)))
    bank = split_bank_line(order.bank_snapshot)
    extras = extra_payments.for_order(order)
    paid_in_all = extra_payments.paid_in_all(order, extras)
    page = render_template(
        "shop/order.html",
        order=order,
        bank=bank,
        extras=extras,
        paid_in_all=paid_in_all,
        messaged=outbox.told_buyer(order),
    )
    return _private(make_response(page))


def _card_page(order: Order, card, error: str | None = None):
    allow_toss_widget()
    token = request.args.get("t")
    return render_template(
        "shop/pay_card.html",
        order=order,
        client_key=card.client_key,
        widget=widget_fields(order),
        success_url=absolute_url("shop.card_success", order_no=order.order_no, t=token),
        fail_url=absolute_url("shop.card_fail", order_no=order.order_no, t=token),
        error=error,
    )


@bp.get("/orders/<order_no>/pay/success")
def card_success(order_no: str):
    order = _buyer_order(order_no)
    card = payments.provider_for(PaymentMethod.CARD)
    try:
        result = card.confirm(order, request.args.to_dict())
    except payments.PaymentError as exc:
        return _private(make_response(_card_page(order, card, error=str(exc) or exc.code), 402))
    if result is ConfirmResult.REFUSED:
        return _private(
            make_response(_card_page(order, card, error=_("The payment details do not match this order.")), 400)
        )
    if result is ConfirmResult.FAILED:
        return _private(make_response(_card_page(order, card, error=_("The payment was not completed.")), 402))
    # order_no from the URL (the order it found): no new transaction after the confirm committed
    return redirect(url_for("shop.order", order_no=order_no, t=request.args.get("t")))


@bp.get("/orders/<order_no>/pay/fail")
def card_fail(order_no: str):
    order = _buyer_order(order_no)
    card = payments.provider_for(PaymentMethod.CARD)
    if order.status is not OrderStatus.AWAITING_PAYMENT:
        return redirect(url_for("shop.order", order_no=order.order_no, t=request.args.get("t")))
    message = clean_line(request.args.get("message"))[:200] or _("The payment was not completed.")
    return _private(make_response(_card_page(order, card, error=message)))


@bp.post(security.REPORT_PATH)
@csrf.exempt
def csp_report():
    """Where browsers report what the Content-Security-Policy blocked (logged for the merchant)."""
    body = request.stream.read(security.REPORT_MAX_BYTES + 1)
    if len(body) > security.REPORT_MAX_BYTES:
        return {"ok": False}, 413
    if not security.log_violation_report(body):
        return {"ok": False}, 400
    return "", 204


@bp.post("/webhooks/toss")
@csrf.exempt
def toss_webhook():
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return {"ok": False}, 400
    try:
        payments.provider_for(PaymentMethod.CARD).handle_webhook(payload)
    except (GatewayUnreachable, payments.PaymentError):
        db.session.rollback()
        return {"ok": False}, 503  # the gateway retries later
    db.session.commit()
    return {"ok": True}


@bp.post("/webhooks/solapi")
@csrf.exempt
def solapi_webhook():
    """SOLAPI's delivery reports (단일 리포트): the secret the merchant put in the webhook's URL, or
    SOLAPI's X-Solapi-Secret header, lets them in; off (404) while no secret is set."""
    provider = messaging.provider()
    if provider is None or not current_app.config.get("SOLAPI_WEBHOOK_SECRET"):
        abort(404)
    given = request.args.get("key") or request.headers.get("X-Solapi-Secret") or ""
    if not webhook_secret_matches(given):
        return {"ok": False}, 403
    payload = request.get_json(silent=True)
    if not isinstance(payload, list):
        return {"ok": False}, 400
    matched = outbox.apply_reports(provider.reports(payload))
    db.session.commit()
    return {"ok": True, "matched": matched}


@bp.get("/uploads/<name>")
def upload(name: str):
    if not images.STORED_NAME_RE.match(name):
        abort(404)
    return storage.pictures().response(name)


@bp.get("/sitemap.xml")
def sitemap():
    tokens = db.session.scalars(
        sa.select(Product.public_token).where(listed_clause(None)).order_by(Product.id.desc()).limit(50_000)
    )
    response = make_response(
        render_template(
            "shop/sitemap.xml",
            home=absolute_url("shop.home"),
            categories=[absolute_url("shop.category", category_id=c.id) for c in catalog.public_categories(None)],
            products=[absolute_url("shop.product", token=token) for token in tokens],
        )
    )
    response.mimetype = "application/xml"
    return response


@bp.get("/healthz")
def health():
    """For load balancers: the app answers and reaches its database."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return {"status": "database unavailable"}, 503
    return {"status": "ok"}


@bp.get("/favicon.ico")
def favicon():
    """For browsers and crawlers that ask before reading the page's <link rel="icon">."""
    custom = shop_settings().favicon_hash
    if custom:
        return redirect(storage.picture_url(images.thumb_name(custom)))
    response = current_app.send_static_file("img/favicon.png")
    response.cache_control.max_age = 86400  # an unversioned URL: a shop's own icon shows up within a day
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
