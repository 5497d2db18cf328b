"""The back office: 주문 관리, its exports, and each order's steps (views validate, call, flash)."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import (
    access_log,
    exports,
    extra_payments,
    ledger,
    lifecycle,
    money,
    notifications,
    orders,
    payments,
)
from ..extensions import db
from ..messaging import outbox
from ..models import AccessAction, Order, PaymentMethod
from ..numbers import parse_int
from ..urls import local_path, page_number
from . import bp
from .forms import ConfirmForm
from .forms.orders import (
    BulkShipForm,
    ExportForm,
    ExtendDeadlineForm,
    ExtraPaymentForm,
    OrderFilterForm,
    RefundForm,
    ShipForm,
)


@bp.get("/orders")
def orders_list():
    return _orders_page(BulkShipForm())


def _filtered_orders():
    """주문 관리's list as its query string filters it (the page, and the file it downloads)."""
    filters = OrderFilterForm(request.args)
    return filters, orders.admin_order_select(q=filters.q.data or "", status=filters.status.data or "")


def _orders_page(bulk_form: BulkShipForm, status: int = 200, export_form: ExportForm | None = None):
    filters, stmt = _filtered_orders()
    page = db.paginate(
        stmt, page=page_number(), per_page=current_app.config["ADMIN_PRODUCTS_PER_PAGE"], error_out=False, count=True
    )
    if filters.q.data and page.items:
        # A search (by name, phone or order number) shows whose orders matched: a 조회 of those buyers.
        access_log.record(AccessAction.VIEW, "order_search", [order.order_no for order in page.items])
        db.session.commit()
    carrier = orders.last_carrier()
    if not bulk_form.carrier.data:
        bulk_form.carrier.data = carrier
    return render_template(
        "admin/orders.html",
        filters=filters,
        page=page,
        bulk_form=bulk_form,
        export_form=export_form or ExportForm(formdata=None),
        counts=orders.status_counts(),
        next_steps={order.id: lifecycle.next_action(order) for order in page.items},
        ship_form=ShipForm(formdata=None, carrier=carrier),
        confirm_form=ConfirmForm(),
    ), status


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


EXPORT_FORMATS = {
    "csv": ("text/csv", exports.orders_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.orders_xlsx),
}


@bp.post("/orders/export")
def orders_export():
    """CSV/엑셀 내려받기: the list as filtered, with the columns its 다운로드 사유 needs; recorded."""
    form = ExportForm()
    extension = request.form.get("format", "")
    if extension not in EXPORT_FORMATS or not form.validate_on_submit():
        return _orders_page(BulkShipForm(formdata=None), 422, export_form=form)
    _, stmt = _filtered_orders()
    found = list(db.session.scalars(stmt))
    access_log.record(
        AccessAction.DOWNLOAD,
        f"order_export_{extension}",
        [order.order_no for order in found],
        purpose=form.chosen.value,
        reason=form.reason.data,
    )
    mimetype, write = EXPORT_FORMATS[extension]
    body = write(found, form.chosen)
    db.session.commit()
    disposition = f'attachment; filename="{exports.filename(extension)}"'
    return current_app.response_class(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


def _order_page(order: Order, status: int = 200, **forms):
    """The order's own page, with the buyer's details in full: each time it is shown, a 조회 is recorded."""
    access_log.record(AccessAction.VIEW, "order_detail", [order.order_no])
    db.session.commit()
    forms.setdefault("ship_form", ShipForm(formdata=None, carrier=orders.last_carrier()))
    forms.setdefault("extend_form", ExtendDeadlineForm())
    forms.setdefault(
        "refund_form", RefundForm(method=order.payment_method, needs_account=payments.refund_needs_account(order))
    )
    forms.setdefault("extra_form", ExtraPaymentForm(formdata=None, prefix="extra"))
    extras = extra_payments.for_order(order)
    totals = ledger.totals(order)
    return (
        render_template(
            "admin/order_detail.html",
            order=order,
            confirm_form=ConfirmForm(),
            actions=lifecycle.allowed_actions(order),
            awaiting_payment=order.status in lifecycle.PAYABLE,
            totals=totals,
            shipping_held=ledger.shipping_held(order, totals),
            extras=extras,
            paid_in_all=extra_payments.paid_in_all(order, extras),
            buyer_messages=outbox.for_order(order),
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


def _back(order_id: int):
    """Back where the step's form was: 주문 관리's cards send the list's address as ``next``, else the order."""
    return redirect(local_path(request.form.get("next"), url_for("admin.order_detail", order_id=order_id)))


def _order_step(order_id: int, step, done: str, refused: str):
    """One button of the order page or of a 주문 관리 card: the lifecycle step, commit, back."""
    order = db.get_or_404(Order, order_id)
    if step(order, current_user.email):
        db.session.commit()
        flash(done, "success")
    else:
        db.session.rollback()
        flash(refused, "error")
    return _back(order_id)


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
    return _back(order_id)


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
    return _back(order_id)


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


@bp.post("/orders/<id:order_id>/extra-payment")
def order_extra_payment(order_id: int):
    """추가 결제 요청: a window for the buyer of this order, then straight to its 링크 보내기."""
    order = db.get_or_404(Order, order_id)
    form = ExtraPaymentForm(prefix="extra")
    if not form.validate_on_submit():
        return _order_page(order, 422, extra_form=form)
    window = extra_payments.request(
        order, form.amount.data, form.reason.data, form.note.data or "", bool(form.phone_check.data), current_user.email
    )
    db.session.commit()
    flash(_("The extra payment window has been made. Send its link to the buyer."), "success")
    return redirect(url_for("admin.product_edit", product_id=window.id, _anchor="send-link"))


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
        include_shipping=form.include_shipping.data,
        account=form.account(),
        returned_items={item_id for item_id in map(parse_int, request.form.getlist("returned_item")) if item_id},
    )
    if outcome.problem and outcome.problem.about_amount:
        form.amount.errors = [outcome.problem.message]
        return _order_page(order, 422, refund_form=form)
    if outcome.problem:  # sent twice, refused, or the order moved on: nothing recorded
        flash(outcome.problem.message, "error")
    else:
        if form.account():  # the buyer's bank account, typed in: 수정 of their personal data
            access_log.record(AccessAction.EDIT, "refund_account", [order.order_no])
            db.session.commit()
        flash(_("The refund was recorded."), "success")
    if outcome.todo:
        flash(outcome.todo, "warning")
    return redirect(url_for("admin.order_detail", order_id=order_id))
