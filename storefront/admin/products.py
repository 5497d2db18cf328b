"""The back office: 카테고리 관리, 상품 등록/관리, 빠른 개인결제창 and 개인결제창 일괄 생성."""

import json

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import (
    batches,
    catalog,
    images,
    links,
    options,
    orders,
    previews,
    sharing,
    shipping,
)
from ..extensions import db
from ..messaging import outbox
from ..messaging.settings import current as messaging_settings
from ..models import Product, ProductBatch, utcnow
from ..numbers import parse_int
from ..text import format_phone
from ..urls import absolute_url, page_number, small_int
from . import bp
from .forms import ConfirmForm
from .forms.messages import LinkMessageForm
from .forms.products import BatchForm, CategoriesForm, ProductFilterForm, ProductForm, QuickWindowForm


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
    if action == "options":  # 옵션 목록 적용: the combinations of the typed groups, nothing saved yet
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
            try:
                product = catalog.create_product(data, actor=current_user.email)
            except catalog.CatalogError as exc:
                db.session.rollback()
                form.use_options.errors = [str(exc)]
                return _render_product_form(form, None, failed=True), 422
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
            except catalog.CatalogError as exc:  # 옵션 the catalogue refused (a price floor, a stale stock)
                db.session.rollback()
                form.use_options.errors = [str(exc)]
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
    form: ProductForm,
    product: Product | None,
    failed: bool = False,
    preset_applied: bool = False,
    link_form: LinkMessageForm | None = None,
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
        shop_shipping_rule=shipping.shop_rule().describe(),
        option_table=_option_table(form, product),
        stock_on=form.stock_managed.data == "on",
        **(_text_panel(product, link_form) if product else {}),
    )


def _option_table(form: ProductForm, product: Product | None) -> list[tuple]:
    """The 옵션 rows the form shows: what was typed (after an error or 옵션 목록 적용), else what is stored."""
    if not form.use_options.data:
        return []
    sent = request.form if request.method == "POST" else {}
    rows = []
    for key, label, variant in options.table(product, form.option_groups()):
        if f"combo-{key}-present" in sent:
            row = {
                "extra": sent.get(f"combo-{key}-extra", ""),
                "stock": sent.get(f"combo-{key}-stock", ""),
                "seen": sent.get(f"combo-{key}-seen", ""),
                "on_sale": bool(sent.get(f"combo-{key}-on_sale")),
            }
        elif variant is not None:
            row = {"extra": variant.extra_price, "stock": variant.stock_quantity, "seen": variant.stock_quantity,
                   "on_sale": variant.on_sale}  # fmt: skip
        else:
            row = {"extra": 0, "stock": 0, "seen": "", "on_sale": True}
        rows.append((key, label, variant, row))
    return rows


def _text_panel(product: Product, form: LinkMessageForm | None = None) -> dict:
    """링크 보내기 › 문자로 보내기: the form (the shared text, without the customer's name), the last sends."""
    share = sharing.links_for(product)
    if form is None:
        form = LinkMessageForm(formdata=None, prefix="sms", text=share.message, nonce=orders.new_nonce(), url=share.url)
    ready = messaging_settings().ready
    return {"link_form": form, "link_messages": outbox.for_window(product), "messages_ready": ready}


@bp.post("/products/<id:product_id>/send-text")
def product_send_text(product_id: int):
    """문자로 보내기: the merchant's text with the link, to the mobile number the window is made for."""
    product = db.get_or_404(Product, product_id)
    if not messaging_settings().ready or not product.customer_phone:
        flash(_("Text messages are not set up, or this window has no customer's mobile number."), "error")
        return redirect(url_for("admin.product_edit", product_id=product.id, _anchor="send-link"))
    form = LinkMessageForm(prefix="sms", url=sharing.links_for(product).url)
    if not form.validate_on_submit():
        product_form = ProductForm(formdata=None)
        product_form.fill_from(product)
        return _render_product_form(product_form, product, link_form=form), 422
    outbox.link(product, form.text.data, form.nonce.data)
    db.session.commit()
    flash(_("The link is on its way to %(phone)s by text message.", phone=format_phone(product.customer_phone)),
          "success")  # fmt: skip
    return redirect(url_for("admin.product_edit", product_id=product.id, _anchor="send-link"))


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


@bp.route("/products/<id:product_id>/delete", methods=["GET", "POST"])
def product_delete(product_id: int):
    product = db.get_or_404(Product, product_id)
    form = ConfirmForm()
    if request.method == "GET":
        return render_template("admin/delete_product.html", product=product, form=form)
    if not form.validate_on_submit():
        abort(400)
    name = product.name
    try:
        catalog.delete_product(product, actor=current_user.email)
    except catalog.CatalogError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.product_edit", product_id=product_id))
    db.session.commit()
    flash(_("“%(name)s” has been deleted.", name=name), "success")
    return redirect(url_for("admin.products"))


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
    return render_template("admin/quick_window.html", form=form, failed=failed, staged_images=_staged_images(form))


def _staged_images(form: ProductForm | QuickWindowForm) -> list[tuple[str, str]]:
    """The pictures the form holds so far, as (content hash, thumbnail name)."""
    return [(h, images.thumb_name(h)) for h in form.current_image_hashes() if images.HASH_RE.match(h)]
