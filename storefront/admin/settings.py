"""The back office: 관리자 홈 and 상점 설정."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import business, dashboard, images, shipping
from ..extensions import db
from ..settings import save_settings, settings_row, shop_settings
from . import bp
from .forms import ConfirmForm
from .forms.settings import ShopSettingsForm
from .forms.shipping import ShippingRegionForm
from .push import push_panel


@bp.get("/")
def index():
    """관리자 홈: the 시작하기 checklist, today's figures, the links by state and the devices that get pushes."""
    return render_template(
        "admin/home.html",
        steps=dashboard.getting_started(),
        optional_steps=dashboard.optional_steps(current_user.two_factor_enabled),
        figures=dashboard.todays_figures(),
        links=dashboard.link_counts(),
        push_devices=push_panel(),
    )


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


@bp.route("/settings/shipping-regions", methods=["GET", "POST"])
def shipping_regions():
    """추가 배송비 지역: the postcode ranges that pay the 제주 or 도서산간 extra, added and removed here."""
    form = ShippingRegionForm()
    if request.method == "POST" and form.validate():
        shipping.add_region(
            form.kind.data, form.name.data or "", form.postcode_from.data, form.postcode_to.data, current_user.email
        )
        db.session.commit()
        flash(_("The region was added."), "success")
        return redirect(url_for("admin.shipping_regions"))
    page = render_template(
        "admin/shipping_regions.html",
        form=form,
        regions=shipping.regions(),
        confirm_form=ConfirmForm(),
        shop=shop_settings(),
    )
    return page, 422 if form.errors else 200


@bp.post("/settings/shipping-regions/<id:region_id>/remove")
def shipping_region_remove(region_id: int):
    if not ConfirmForm().validate_on_submit() or not shipping.remove_region(region_id, current_user.email):
        flash(_("This region is not there any more."), "error")
    else:
        db.session.commit()
        flash(_("The region was removed."), "success")
    return redirect(url_for("admin.shipping_regions"))
