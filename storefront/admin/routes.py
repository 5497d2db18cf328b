"""Views of the back office: parse the form, call an operation, commit, redirect."""

import json

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from .. import (
    auth,
    batches,
    business,
    catalog,
    dashboard,
    exports,
    images,
    ledger,
    lifecycle,
    links,
    money,
    notifications,
    orders,
    payments,
    previews,
    sharing,
)
from ..auth import authenticate, has_admin
from ..extensions import db
from ..models import AdminUser, Order, PaymentMethod, Product, ProductBatch, utcnow
from ..numbers import parse_int
from ..settings import save_settings, settings_row, shop_settings
from ..throttle import throttle
from ..urls import absolute_url, page_number, small_int
from . import bp, safe_next
from .forms import (
    AccountForm,
    BatchForm,
    BulkShipForm,
    CategoriesForm,
    ConfirmForm,
    ExtendDeadlineForm,
    LoginForm,
    OrderFilterForm,
    PasswordChangeForm,
    ProductFilterForm,
    ProductForm,
    QuickWindowForm,
    RefundForm,
    SetupForm,
    ShipForm,
    ShopSettingsForm,
)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    if not has_admin():
        return redirect(url_for("admin.setup"))
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
    return render_template("admin/login.html", form=form, error=error)


@bp.post("/logout")
def logout():
    # Ends this login everywhere: a copy of the old cookie no longer opens the admin.
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("admin.login"))


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """관리자 계정 만들기: only with the one-time code printed on the server's console."""
    if has_admin():
        return redirect(url_for("admin.login"))
    code = (request.values.get("code") or "").strip()
    form = SetupForm()
    if auth.setup_code_valid(code):
        if form.validate_on_submit():
            user = auth.create_first_admin(code, form.email.data, form.password.data)
            if user is not None:
                db.session.commit()
                session.clear()
                login_user(user)
                flash(_("Your admin account is ready. Start with the checklist below."), "success")
                return redirect(url_for("admin.index"))
        form.code.data = code
        status = 422 if form.errors else 200
        return render_template("admin/setup.html", form=form), status
    if not auth.setup_code_pending():
        fresh = auth.new_setup_code()
        db.session.commit()
        # Never a link built from the request's Host header: whoever sent this request chose it.
        base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
        current_app.logger.warning(auth.setup_message(base + url_for("admin.setup", code=fresh), fresh))
    return render_template("admin/setup.html", form=None, wrong_code=bool(code)), 403 if code else 200


@bp.get("/")
def index():
    """관리자 홈: the 시작하기 checklist, today's figures and the links by state."""
    return render_template(
        "admin/home.html",
        steps=dashboard.getting_started(),
        figures=dashboard.todays_figures(),
        links=dashboard.link_counts(),
    )


@bp.route("/password", methods=["GET", "POST"])
def password():
    """비밀번호 변경: the current password is asked again; every other login of the account ends."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if auth.change_password(current_user, form.current_password.data, form.new_password.data):
            db.session.commit()
            login_user(current_user._get_current_object())  # this login goes on with the new session token
            flash(_("Your password has been changed. Other logins of this account have ended."), "success")
            return redirect(url_for("admin.password"))
        form.current_password.errors.append(_("The current password is not correct."))
    return render_template("admin/password.html", form=form), 422 if form.errors else 200


@bp.route("/accounts", methods=["GET", "POST"])
def accounts():
    """운영자 계정: the owner adds staff accounts (removing is below)."""
    form = AccountForm()
    if form.validate_on_submit():
        try:
            user = auth.add_staff(form.email.data, form.password.data, current_user)
        except auth.AccountError as exc:
            db.session.rollback()
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(email)s can now log in as staff.", email=user.email), "success")
            return redirect(url_for("admin.accounts"))
    return render_template(
        "admin/accounts.html",
        form=form,
        users=auth.staff_and_owners(),
        history=auth.account_history(),
        confirm_form=ConfirmForm(),
    ), 422 if form.errors else 200


@bp.post("/accounts/<id:user_id>/remove")
def account_remove(user_id: int):
    user = db.get_or_404(AdminUser, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        auth.remove_staff(user, current_user)
    except auth.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("The account was removed; its logins have ended."), "success")
    return redirect(url_for("admin.accounts"))


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
        link_status=filters.link_status.data or "",
    )
    page = db.paginate(
        stmt, page=page_number(), per_page=current_app.config["ADMIN_PRODUCTS_PER_PAGE"], error_out=False, count=True
    )
    return render_template(
        "admin/products.html",
        filters=filters,
        page=page,
        link_status=links.link_status,
        locked_until=links.locked_until,
        confirm_form=ConfirmForm(),
        share_links=sharing.links_for,
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
            except catalog.LimitReached as exc:
                db.session.rollback()
                form.display_status.errors.append(str(exc))
                return _render_product_form(form, product, failed=True), 409
            message = _("The product has been saved.")
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("admin.product_edit", product_id=product.id))
    return _render_product_form(form, product, failed=True), 422


def _stage_uploads(form: ProductForm | QuickWindowForm) -> list[str]:
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
    return render_template(
        "admin/product_form.html",
        form=form,
        product=product,
        failed=failed,
        preset_applied=preset_applied,
        staged_images=_staged_images(form),
        confirm_form=ConfirmForm(),
        card=previews.card_for(product) if product else None,
        share=sharing.links_for(product) if product else None,
        link_status=links.link_status(product) if product else None,
        locked_until=links.locked_until(product) if product else None,
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


@bp.route("/products/batch", methods=["GET", "POST"])
def product_batch():
    form = BatchForm()
    if request.method == "GET":
        return render_template("admin/batch.html", form=form)
    if not form.validate():
        abort(400)
    creating = request.form.get("action") == "create"
    try:
        rows = _batch_rows(form, creating)
        checked = batches.check_rows(rows, phone_check=bool(form.phone_check.data), now=utcnow())
    except batches.BatchError as exc:
        return render_template("admin/batch.html", form=form, error=str(exc)), 422
    earlier = batches.find_batch(batches.content_key(rows))
    if earlier is not None:
        flash(_("These rows were already created. Here are the links made then."), "info")
        return redirect(url_for("admin.product_batch_result", batch_id=earlier.id))
    invalid = any(row.errors for row in checked)
    if not creating or invalid:
        form.rows.data = json.dumps(rows, ensure_ascii=False)
        return render_template("admin/batch.html", form=form, checked=checked, invalid=invalid), 422 if invalid else 200
    try:
        batch = batches.create_batch(rows, checked, actor=current_user.email, source_name=form.source_name.data)
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()  # the same rows were created by a second click at the same moment
        batch = batches.find_batch(batches.content_key(rows))
        if batch is None:
            raise
    flash(_("%(n)d personal payment windows were created.", n=len(checked)), "success")
    return redirect(url_for("admin.product_batch_result", batch_id=batch.id))


def _batch_rows(form: BatchForm, creating: bool) -> list[list[str]]:
    """The rows to check: carried from the preview, or read from the uploaded file, or pasted."""
    if creating and form.rows.data:
        return batches.rows_from_json(form.rows.data)
    for upload in request.files.getlist(form.upload.name)[:1]:
        if upload and upload.filename:
            form.source_name.data = upload.filename[-200:]
            return batches.read_upload(upload.filename, upload.stream.read(batches.MAX_FILE_BYTES + 1))
    if (form.pasted.data or "").strip():
        form.source_name.data = ""
        return batches.read_text(form.pasted.data)
    raise batches.BatchError(_("Choose a file or paste rows."))


@bp.get("/products/batch/<id:batch_id>")
def product_batch_result(batch_id: int):
    batch = db.get_or_404(ProductBatch, batch_id)
    return render_template(
        "admin/batch_result.html", batch=batch, products=batches.batch_products(batch), public_url=_public_url
    )


@bp.get("/products/batch/<id:batch_id>/qr")
def product_batch_qr(batch_id: int):
    batch = db.get_or_404(ProductBatch, batch_id)
    return render_template("admin/batch_qr.html", batch=batch, products=batches.batch_products(batch))


@bp.get("/products/batch/<id:batch_id>/links.xlsx")
def product_batch_xlsx(batch_id: int):
    batch = db.get_or_404(ProductBatch, batch_id)
    body = batches.links_workbook(batches.batch_products(batch), _public_url)
    return current_app.response_class(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="links-{batch.id}.xlsx"'},
    )


def _public_url(product: Product) -> str:
    return absolute_url("shop.product", token=product.public_token)


@bp.get("/orders")
def orders_list():
    return _orders_page(BulkShipForm())


def _orders_page(bulk_form: BulkShipForm, status: int = 200):
    filters = OrderFilterForm(request.args)
    stmt = orders.admin_order_select(q=filters.q.data or "", status=filters.status.data or "")
    page = db.paginate(
        stmt, page=page_number(), per_page=current_app.config["ADMIN_PRODUCTS_PER_PAGE"], error_out=False, count=True
    )
    return render_template("admin/orders.html", filters=filters, page=page, bulk_form=bulk_form), status


@bp.post("/orders/ship")
def orders_ship():
    """일괄 배송 시작: each pasted order that may ship now starts shipping; the others are named."""
    form = BulkShipForm()
    if not form.validate_on_submit():
        return _orders_page(form, 422)
    results = lifecycle.ship_many(form.pairs, form.carrier.data, current_user.email)
    db.session.commit()
    shipped = [no for no, ok in results if ok]
    skipped = [no for no, ok in results if not ok]
    if shipped:
        flash(_("Shipping started for %(n)d orders.", n=len(shipped)), "success")
    if skipped:
        flash(
            _("Not shipped (unknown, unpaid or already shipped): %(orders)s", orders=", ".join(skipped[:20])), "error"
        )
    return redirect(url_for("admin.orders_list"))


@bp.get("/orders.csv")
def orders_csv():
    filters = OrderFilterForm(request.args)
    stmt = orders.admin_order_select(q=filters.q.data or "", status=filters.status.data or "")
    body = exports.orders_csv(db.session.scalars(stmt))
    return current_app.response_class(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{exports.filename("csv")}"'},
    )


@bp.get("/orders.xlsx")
def orders_xlsx():
    filters = OrderFilterForm(request.args)
    stmt = orders.admin_order_select(q=filters.q.data or "", status=filters.status.data or "")
    return current_app.response_class(
        exports.orders_xlsx(db.session.scalars(stmt)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{exports.filename("xlsx")}"'},
    )


def _order_page(order: Order, status: int = 200, **forms):
    forms.setdefault("ship_form", ShipForm())
    forms.setdefault("extend_form", ExtendDeadlineForm())
    forms.setdefault(
        "refund_form", RefundForm(method=order.payment_method, needs_account=payments.refund_needs_account(order))
    )
    return (
        render_template(
            "admin/order_detail.html",
            order=order,
            confirm_form=ConfirmForm(),
            actions=lifecycle.allowed_actions(order),
            awaiting_payment=order.status in lifecycle.PAYABLE,
            totals=ledger.totals(order),
            **forms,
        ),
        status,
    )


@bp.route("/orders/<id:order_id>", methods=["GET"])
def order_detail(order_id: int):
    order = db.get_or_404(Order, order_id)
    changed = lifecycle.expire_if_due(order)
    notifications.mark_read(order.id)
    db.session.commit()
    if changed:
        flash(_("The payment deadline passed: the order was cancelled and the stock returned."), "info")
    return _order_page(order)


def _order_step(order_id: int, step, done: str, refused: str):
    """One button of the order page: the lifecycle step, commit, back to the order."""
    order = db.get_or_404(Order, order_id)
    if step(order, current_user.email):
        db.session.commit()
        flash(done, "success")
    else:
        db.session.rollback()
        flash(refused, "error")
    return redirect(url_for("admin.order_detail", order_id=order_id))


@bp.post("/orders/<id:order_id>/paid")
def order_mark_paid(order_id: int):
    order = db.get_or_404(Order, order_id)
    if order.payment_method is not PaymentMethod.BANK_TRANSFER:
        flash(_("Card payments are confirmed by the payment gateway, not by hand."), "error")
        return redirect(url_for("admin.order_detail", order_id=order_id))
    result = money.confirm_deposit(order, current_user.email)
    if result is lifecycle.Deposit.PAID:
        flash(_("The deposit was confirmed."), "success")
    elif result is lifecycle.Deposit.NO_STOCK:
        flash(
            _(
                "The deposit was recorded, but the order was cancelled and its stock has been sold since. "
                "Refund the buyer with “Refund”."
            ),
            "error",
        )
    else:
        flash(_("This order cannot be marked as paid any more."), "error")
    return redirect(url_for("admin.order_detail", order_id=order_id))


@bp.post("/orders/<id:order_id>/cancel")
def order_cancel(order_id: int):
    outcome = money.cancel_order(db.get_or_404(Order, order_id), current_user.email)
    if outcome.done:
        flash(_("The order was cancelled and the stock returned."), "success")
    else:
        flash(_("This order cannot be cancelled any more."), "error")
    if outcome.todo:
        flash(outcome.todo, "warning")
    return redirect(url_for("admin.order_detail", order_id=order_id))


@bp.post("/orders/<id:order_id>/prepare")
def order_prepare(order_id: int):
    return _order_step(
        order_id, lifecycle.prepare, _("The order is being prepared for shipping."), _("This step is not possible now.")
    )


@bp.post("/orders/<id:order_id>/deliver")
def order_deliver(order_id: int):
    return _order_step(
        order_id, lifecycle.deliver, _("The order was marked delivered."), _("This step is not possible now.")
    )


@bp.post("/orders/<id:order_id>/confirm-purchase")
def order_confirm_purchase(order_id: int):
    return _order_step(
        order_id, lifecycle.confirm_purchase, _("The purchase was confirmed."), _("This step is not possible now.")
    )


@bp.post("/orders/<id:order_id>/ship")
def order_ship(order_id: int):
    order = db.get_or_404(Order, order_id)
    form = ShipForm()
    if not form.validate_on_submit():
        return _order_page(order, 422, ship_form=form)
    if lifecycle.ship(order, form.carrier.data, form.tracking_no.data, current_user.email):
        db.session.commit()
        flash(_("Shipping started."), "success")
    else:
        flash(_("This step is not possible now."), "error")
    return redirect(url_for("admin.order_detail", order_id=order_id))


@bp.post("/orders/<id:order_id>/extend")
def order_extend(order_id: int):
    order = db.get_or_404(Order, order_id)
    form = ExtendDeadlineForm()
    if not form.validate_on_submit():
        return _order_page(order, 422, extend_form=form)
    if lifecycle.extend_deadline(order, int(form.days.data), current_user.email):
        db.session.commit()
        flash(_("The deadline was extended."), "success")
    else:
        flash(_("This step is not possible now."), "error")
    return redirect(url_for("admin.order_detail", order_id=order_id))


@bp.post("/orders/<id:order_id>/refund")
def order_refund(order_id: int):
    order = db.get_or_404(Order, order_id)
    form = RefundForm(method=order.payment_method, needs_account=payments.refund_needs_account(order))
    if not form.validate_on_submit():
        return _order_page(order, 422, refund_form=form)
    outcome = money.refund_order(
        order,
        form.amount.data,
        current_user.email,
        refunded_seen=parse_int(form.refunded_seen.data),
        restock=form.restock.data,
        account=form.account(),
    )
    if outcome.problem and outcome.problem.about_amount:
        form.amount.errors = [outcome.problem.message]
        return _order_page(order, 422, refund_form=form)
    if outcome.problem:  # sent twice, refused, or the order moved on: nothing recorded
        flash(outcome.problem.message, "error")
    else:
        flash(_("The refund was recorded."), "success")
    if outcome.todo:
        flash(outcome.todo, "warning")
    return redirect(url_for("admin.order_detail", order_id=order_id))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    current = shop_settings()
    missing = business.missing_items(current)
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
            save_settings(values, actor=current_user.email)
            db.session.commit()
            flash(_("Settings saved."), "success")
            return redirect(url_for("admin.settings"))
        return render_template("admin/settings.html", form=form, current=current, missing=missing, failed=True), 422
    return render_template("admin/settings.html", form=form, current=current, missing=missing)


@bp.route("/products/quick", methods=["GET", "POST"])
def product_quick():
    """빠른 개인결제창: a window made in one short form, then straight to 링크 보내기."""
    form = QuickWindowForm()
    if request.method == "GET":
        return _render_quick_window(form)
    upload_errors = _stage_uploads(form)
    valid = form.validate()
    form.images.errors = list(form.images.errors) + upload_errors
    if valid and not upload_errors:
        data = form.product_data(catalog.personal_payment_category_id())
        product = catalog.create_product(data, actor=current_user.email)
        db.session.commit()
        flash(_("The personal payment window has been made. Send its link to the customer."), "success")
        return redirect(url_for("admin.product_edit", product_id=product.id, _anchor="send-link"))
    return _render_quick_window(form, failed=True), 422


def _render_quick_window(form: QuickWindowForm, failed: bool = False):
    return render_template(
        "admin/quick_window.html", form=form, failed=failed, staged_images=_staged_images(form)
    )


def _staged_images(form: ProductForm | QuickWindowForm) -> list[tuple[str, str]]:
    """The pictures the form holds so far, as (content hash, thumbnail name)."""
    return [(h, images.thumb_name(h)) for h in form.current_image_hashes() if images.HASH_RE.match(h)]


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
