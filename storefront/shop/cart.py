"""장바구니: 장바구니 담기 and 바로 구매 from a listed product's page, the cart page, and its 주문하기 into one
order of several lines (the rules are storefront.cart's and storefront.orders')."""

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from .. import cart, catalog, options, orders, payments
from ..extensions import db
from ..formatting import won
from ..numbers import parse_int
from ..security import allow_postcode_service
from ..visibility import device_for
from . import bp
from .forms import CheckoutForm
from .routes import NOINDEX, _private, _redirect_to_order, postcode_arg


def _device() -> str:
    return device_for(request.user_agent.string)


def _counted(response):
    """The header's 장바구니 count, for the page's script: a cookie, so shared pages stay whole."""
    response = make_response(response)
    response.set_cookie(cart.COUNT_COOKIE, str(cart.count()), samesite="Lax", secure=request.is_secure)
    return _private(response)


@bp.post("/cart")
def cart_add():
    """장바구니 담기 (to the cart) or 바로 구매 (straight to the product's checkout) from its page."""
    product = catalog.product_by_token(request.form.get("token", ""))
    if product is None or not cart.can_hold(product):
        return _counted(redirect(url_for("shop.cart_page")))
    back = url_for("shop.product", token=product.public_token)
    quantity = parse_int(request.form.get("quantity"), minimum=1, maximum=99) or 1
    variant = None
    if product.has_options:
        try:
            variant = options.chosen_variant(product, request.form)
        except options.OptionError as exc:
            flash(str(exc), "error")
            return _counted(redirect(url_for("shop.cart_page")))
    if request.form.get("action") == "buy_now":
        chosen = {name: value for name, value in request.form.items() if name.startswith("option-")}
        return redirect(url_for("shop.checkout", token=product.public_token, quantity=quantity, **chosen))
    problem = cart.add(product, variant, quantity, _device())
    if problem:
        flash(problem, "error")
    else:
        flash(_("Added to the cart: %(name)s", name=product.name), "success")
    response = redirect(url_for("shop.cart_page", back=back))
    return _counted(response)


@bp.get("/cart")
def cart_page():
    lines = cart.lines(_device())
    back = request.args.get("back", "")
    back = back if back.startswith("/products/") else url_for("shop.home")
    response = make_response(
        render_template("shop/cart.html", lines=lines, fee=cart.fee(lines), back=back, categories=None)
    )
    response.headers["X-Robots-Tag"] = NOINDEX
    return _counted(response)


@bp.post("/cart/update")
def cart_update():
    """수량 변경, 삭제, 선택 삭제 and 바뀐 가격으로 담기: the buttons of the cart page's one form."""
    action = request.form.get("action", "")
    if action == "remove-selected":
        chosen = {parse_int(value, maximum=100) for value in request.form.getlist("selected")}
        if cart.remove(chosen - {None}):
            flash(_("The selected lines were removed."), "success")
        else:
            flash(_("Select the lines to remove."), "error")
    elif action.startswith("remove-"):
        if cart.remove({parse_int(action.removeprefix("remove-"), maximum=100)}):
            flash(_("Removed from the cart."), "success")
    elif action.startswith("accept-"):
        cart.accept_price(parse_int(action.removeprefix("accept-"), maximum=100), _device())
    else:
        quantities = {}
        for name, value in request.form.items():
            index = parse_int(name.removeprefix("qty-"), maximum=100) if name.startswith("qty-") else None
            quantity = parse_int(value.strip(), minimum=1, maximum=99)
            if index is not None and quantity is None:
                flash(_("Enter each quantity as a number from 1 to 99."), "error")
            elif index is not None:
                quantities[index] = quantity
        cart.set_quantities(quantities)
    return _counted(redirect(url_for("shop.cart_page")))


@bp.route("/cart/checkout", methods=["GET", "POST"])
def cart_checkout():
    """주문하기: one order for every line that can be ordered now; the others stay in the cart."""
    device = _device()
    lines = cart.lines(device)
    ready = [line for line in lines if line.ok]
    if not ready:
        flash(_("Nothing in the cart can be ordered now."), "error")
        return _counted(redirect(url_for("shop.cart_page")))
    ships = any(line.product.requires_shipping for line in ready)
    methods = payments.available_methods(cart.fee(ready).total)
    if not methods:
        page = render_template("shop/checkout.html", product=None, cart_lines=ready, form=None)
        return _private(make_response(page, 503))
    form = CheckoutForm(requires_shipping=ships, max_quantity=99, methods=methods, cart=True)
    refusal = refused_line = None
    if request.method == "GET":
        form.nonce.data = orders.new_nonce()
        generate_csrf()
    elif form.validate():
        try:
            placed = orders.place_lines(
                [line.order_line() for line in ready], form.checkout_data(), orders.valid_nonce(form.nonce.data)
            )
        except orders.OrderRefused as exc:
            db.session.rollback()
            refusal, refused_line = exc.reason, exc.line
        else:
            db.session.commit()
            if not placed.repeated:
                cart.remove_ordered(ready)
            return _counted(_redirect_to_order(placed))
    fee = cart.fee(ready, form.postcode.data or "" if ships else "")
    form.expected_total.data = str(fee.total)
    page = render_template(
        "shop/checkout.html",
        product=None,
        cart_lines=ready,
        left_out=[line for line in lines if not line.ok],
        requires_shipping=ships,
        form=form,
        fee=fee,
        refusal=refusal,
        refused_line=refused_line,
        postcode_script=allow_postcode_service() if ships else None,
    )
    status = 200 if request.method == "GET" else (409 if refusal else 422)
    return _private(make_response(page, status))


@bp.get("/cart/shipping-fee")
def cart_fee():
    """The cart checkout's amounts for a postcode (제주 / 도서산간), as its script asks."""
    ready = [line for line in cart.lines(_device()) if line.ok]
    fee = cart.fee(ready, postcode_arg())
    lines = render_template("shop/_fee_lines.html", fee=fee)
    return _private(make_response({"total": fee.total, "total_text": won(fee.total), "lines": lines}))
