"""Views of the back office: parse the form, call an operation, commit, redirect."""

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from .. import catalog, exports, images, notifications, orders, payments, previews, sharing
from ..auth import authenticate, has_admin
from ..extensions import db
from ..models import Order, PaymentMethod, Product, utcnow
from ..numbers import parse_int
from ..payments.toss import GatewayUnreachable
from ..settings import save_settings, settings_row, shop_settings
from ..throttle import throttle
from ..urls import absolute_url, page_number, small_int
from ..visibility import sale_state
from . import bp, safe_next
from .forms import (
    CategoriesForm,
    ConfirmForm,
    LoginForm,
    OrderFilterForm,
    ProductFilterForm,
    ProductForm,
    ShopSettingsForm,
)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = throttle().begin(form.email.data, request.remote_addr)
        if attempt is None:
            message = _("Too many failed logins. For your security, wait 15 minutes and try again.")
            return _render_login(LoginForm(), error=message), 429
        user = authenticate(form.email.data, form.password.data)
        throttle().end(attempt, failed=user is None)
        if user is not None:
            session.clear()  # a fresh session at login: nothing from before carries over
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        # The same answer for an unknown e-mail and a wrong password.
        return _render_login(form, error=_("The e-mail or password is not correct.")), 401
    return _render_login(form)


def _render_login(form: LoginForm, error: str | None = None):
    return render_template("admin/login.html", form=form, error=error, has_admin=has_admin())


@bp.post("/logout")
def logout():
    # Ends this login everywhere: a copy of the old cookie no longer opens the admin.
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("admin.login"))


@bp.get("/")
def index():
    return redirect(url_for("admin.products"))


@bp.route("/categories", methods=["GET", "POST"])
def categories():
    if request.method == "GET":
        return _render_categories(_categories_form(_current_category_rows()))

    form = CategoriesForm()
    action = request.form.get("action", "save")
    rows = [
        {"id": entry.form.id.data or "", "name": entry.form.name.data or "", "delete": entry.form.delete.data}
        for entry in form.rows.entries
    ]
    if action == "add":
        rows.append({"id": "", "name": "", "delete": False})
        return _render_categories(_categories_form(rows), focus_last=True)
    if action.startswith(("up-", "down-")):
        direction, _sep, index = action.partition("-")
        i = parse_int(index)
        i = -1 if i is None else i
        j = i - 1 if direction == "up" else i + 1
        if 0 <= i < len(rows) and 0 <= j < len(rows):
            rows[i], rows[j] = rows[j], rows[i]
        return _render_categories(_categories_form(rows))

    error = None
    if form.validate():
        try:
            catalog.save_categories(form.category_rows(), actor=current_user.email)
            db.session.commit()
        except catalog.CatalogError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            flash(_("Categories saved."), "success")
            return redirect(url_for("admin.categories"))
    else:
        error = _("Nothing was saved. Check the highlighted categories.")
    return _render_categories(form, error=error), 422


def _current_category_rows() -> list[dict]:
    return [{"id": str(c.id), "name": c.name, "delete": False} for c in catalog.ordered_categories()]


def _categories_form(rows: list[dict]) -> CategoriesForm:
    return CategoriesForm(formdata=None, data={"rows": rows})


def _render_categories(form: CategoriesForm, error: str | None = None, focus_last: bool = False):
    return render_template(
        "admin/categories.html", form=form, error=error, focus_last=focus_last, history=catalog.category_history()
    )


@bp.get("/products")
def products():
    filters = ProductFilterForm(request.args)
    stmt = catalog.admin_product_select(
        q=filters.q.data or "",
        category_id=small_int(filters.category.data),
        display_status=filters.display_status.data or "",
        listed=filters.listed.data or "",
    )
    page = db.paginate(
        stmt, page=page_number(), per_page=current_app.config["ADMIN_PRODUCTS_PER_PAGE"], error_out=False, count=True
    )
    return render_template(
        "admin/products.html",
        filters=filters,
        page=page,
        sale_state=sale_state,
        confirm_form=ConfirmForm(),
        public_url=lambda p: absolute_url("shop.product", token=p.public_token),
    )


@bp.route("/products/new", methods=["GET", "POST"])
def product_new():
    form = ProductForm()
    return _product_form(form, product=None)


@bp.route("/products/<id:product_id>/edit", methods=["GET", "POST"])
def product_edit(product_id: int):
    product = db.get_or_404(Product, product_id)
    form = ProductForm()
    if request.method == "GET":
        form.fill_from(product)
    return _product_form(form, product=product)


def _product_form(form: ProductForm, product: Product | None):
    if request.method == "GET":
        return _render_product_form(form, product)

    upload_errors = _stage_uploads(form)
    action = request.form.get("action", "save")
    if action.startswith(("image-up:", "image-remove:")):
        _rearrange_images(form, action)
        form.images.errors = upload_errors
        return _render_product_form(form, product)
    if action == "preset":
        form.apply_personal_payment_preset(catalog.personal_payment_category_id())
        form.images.errors = upload_errors
        return _render_product_form(form, product, preset_applied=True)

    valid = form.validate()
    form.images.errors = list(form.images.errors) + upload_errors
    if valid and not upload_errors:
        data = form.product_data()
        if product is None:
            product = catalog.create_product(data, actor=current_user.email)
            message = _("The product has been registered.")
        else:
            try:
                catalog.update_product(product, data, actor=current_user.email)
            except catalog.StockChanged as exc:
                db.session.rollback()
                form.stock_quantity.errors.append(str(exc))
                form.stock_seen.data = str(exc.current)
                return _render_product_form(form, product, failed=True), 409
            message = _("The product has been saved.")
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("admin.product_edit", product_id=product.id))
    return _render_product_form(form, product, failed=True), 422


def _stage_uploads(form: ProductForm) -> list[str]:
    """Store the files picked in this submission, so a form error never makes the merchant pick them again.

    Returns the messages for files that were refused.
    """
    limit = current_app.config["MAX_IMAGES_PER_PRODUCT"]
    hashes = form.current_image_hashes()
    errors: list[str] = []
    for upload in request.files.getlist(form.images.name):
        if not upload or not upload.filename:
            continue
        if len(hashes) >= limit:
            errors.append(_("At most %(n)d images per product.", n=limit))
            break
        data = upload.stream.read(current_app.config["MAX_IMAGE_BYTES"] + 1)
        try:
            stored = images.store_upload(data)
        except images.ImageRejected as exc:
            errors.append(f"{upload.filename[-80:]}: {exc}")
            continue
        if stored.content_hash not in hashes:
            hashes.append(stored.content_hash)
    form.set_image_hashes(hashes)
    return errors


def _rearrange_images(form: ProductForm, action: str) -> None:
    verb, _sep, target = action.partition(":")
    hashes = form.current_image_hashes()
    if target not in hashes:
        return
    i = hashes.index(target)
    if verb == "image-remove":
        hashes.pop(i)
    elif i > 0:
        hashes[i - 1], hashes[i] = hashes[i], hashes[i - 1]
    form.set_image_hashes(hashes)


def _render_product_form(
    form: ProductForm, product: Product | None, failed: bool = False, preset_applied: bool = False
):
    staged = [h for h in form.current_image_hashes() if images.HASH_RE.match(h)]
    return render_template(
        "admin/product_form.html",
        form=form,
        product=product,
        failed=failed,
        preset_applied=preset_applied,
        staged_images=[(h, images.thumb_name(h)) for h in staged],
        confirm_form=ConfirmForm(),
        card=previews.card_for(product) if product else None,
        share=sharing.links_for(product) if product else None,
    )


@bp.get("/products/<id:product_id>/qr.svg")
def product_qr(product_id: int):
    product = db.get_or_404(Product, product_id)
    svg = sharing.qr_svg(absolute_url("shop.product", token=product.public_token))
    return current_app.response_class(svg, mimetype="image/svg+xml")


@bp.post("/products/<id:product_id>/duplicate")
def product_duplicate(product_id: int):
    source = db.get_or_404(Product, product_id)
    copy = catalog.duplicate_product(source, actor=current_user.email)
    db.session.commit()
    flash(_("A copy was made. It is not displayed until you set its display status."), "success")
    return redirect(url_for("admin.product_edit", product_id=copy.id))


@bp.route("/products/<id:product_id>/regenerate-url", methods=["GET", "POST"])
def product_regenerate_url(product_id: int):
    product = db.get_or_404(Product, product_id)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        catalog.regenerate_token(product, actor=current_user.email)
        db.session.commit()
        flash(_("The product has a new URL. The old link no longer works."), "success")
        return redirect(url_for("admin.product_edit", product_id=product.id))
    return render_template("admin/regenerate_url.html", product=product, form=form)


@bp.get("/orders")
def orders_list():
    filters = OrderFilterForm(request.args)
    stmt = orders.admin_order_select(q=filters.q.data or "", status=filters.status.data or "")
    page = db.paginate(
        stmt, page=page_number(), per_page=current_app.config["ADMIN_PRODUCTS_PER_PAGE"], error_out=False, count=True
    )
    return render_template("admin/orders.html", filters=filters, page=page)


@bp.get("/orders.csv")
def orders_csv():
    filters = OrderFilterForm(request.args)
    stmt = orders.admin_order_select(q=filters.q.data or "", status=filters.status.data or "")
    body = exports.orders_csv(db.session.scalars(stmt))
    filename = f"orders-{utcnow():%Y%m%d}.csv"
    return current_app.response_class(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/orders.xlsx")
def orders_xlsx():
    filters = OrderFilterForm(request.args)
    stmt = orders.admin_order_select(q=filters.q.data or "", status=filters.status.data or "")
    return current_app.response_class(
        exports.orders_xlsx(db.session.scalars(stmt)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="orders-{utcnow():%Y%m%d}.xlsx"'},
    )


@bp.route("/orders/<id:order_id>", methods=["GET"])
def order_detail(order_id: int):
    order = db.get_or_404(Order, order_id)
    changed = orders.expire_if_due(order)
    notifications.mark_read(order.id)
    db.session.commit()
    if changed:
        flash(_("The payment deadline passed: the order was cancelled and the stock returned."), "info")
    return render_template("admin/order_detail.html", order=order, confirm_form=ConfirmForm())


@bp.post("/orders/<id:order_id>/paid")
def order_mark_paid(order_id: int):
    order = db.get_or_404(Order, order_id)
    if order.payment_method is not PaymentMethod.BANK_TRANSFER:
        flash(_("Card payments are confirmed by the payment gateway, not by hand."), "error")
    elif orders.expire_if_due(order):
        db.session.commit()
        flash(_("The payment deadline had passed, so the order was cancelled."), "error")
    elif payments.provider_for(order.payment_method).confirm(order, {"actor": current_user.email}):
        db.session.commit()
        notifications.send_pending_soon()
        flash(_("The deposit was confirmed."), "success")
    else:
        flash(_("This order cannot be marked as paid any more."), "error")
    return redirect(url_for("admin.order_detail", order_id=order_id))


@bp.post("/orders/<id:order_id>/cancel")
def order_cancel(order_id: int):
    order = db.get_or_404(Order, order_id)
    if orders.cancel(order, current_user.email, "merchant_cancelled"):
        db.session.commit()
        flash(_("The order was cancelled and the stock returned."), "success")
    else:
        flash(_("This order cannot be cancelled any more."), "error")
    return redirect(url_for("admin.order_detail", order_id=order_id))


@bp.post("/orders/<id:order_id>/refund")
def order_refund(order_id: int):
    order = db.get_or_404(Order, order_id)
    provider = payments.provider_for(order.payment_method)
    try:
        refunded = provider.refund(order, "refunded by the merchant", current_user.email)
    except (payments.PaymentError, GatewayUnreachable) as exc:
        db.session.rollback()
        flash(_("The refund failed: %(reason)s", reason=str(exc) or getattr(exc, "code", "")), "error")
        return redirect(url_for("admin.order_detail", order_id=order_id))
    if refunded:
        db.session.commit()
        flash(_("The order was refunded and the stock returned."), "success")
    else:
        flash(_("This order cannot be refunded."), "error")
    return redirect(url_for("admin.order_detail", order_id=order_id))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    current = shop_settings()
    form = ShopSettingsForm(obj=settings_row() if request.method == "GET" else None)
    upload_errors: list[str] = []
    if request.method == "POST":
        valid = form.validate()
        values = form.values()
        for field, column in ((form.preview_image, "preview_image_hash"), (form.favicon, "favicon_hash")):
            content_hash, errors = _stored_picture(field.name)
            field.errors = list(field.errors) + errors
            upload_errors += errors
            if content_hash:
                values[column] = content_hash
        if valid and not upload_errors:
            save_settings(values)
            db.session.commit()
            flash(_("Settings saved."), "success")
            return redirect(url_for("admin.settings"))
        return render_template("admin/settings.html", form=form, current=current, failed=True), 422
    return render_template("admin/settings.html", form=form, current=current)


def _stored_picture(name: str) -> tuple[str | None, list[str]]:
    """The content hash of the picture sent in file field ``name`` (if any), and the messages for a refused one."""
    for upload in request.files.getlist(name)[:1]:
        if upload and upload.filename:
            try:
                data = upload.stream.read(current_app.config["MAX_IMAGE_BYTES"] + 1)
                return images.store_upload(data).content_hash, []
            except images.ImageRejected as exc:
                return None, [f"{upload.filename[-80:]}: {exc}"]
    return None, []
