"""Back-office pages for what the law asks: the policy texts and 현금영수증."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import cash_receipts, policies
from ..extensions import db
from ..models import Order, PolicyKind
from . import bp
from .forms.settings import PolicyForm


@bp.get("/policies")
def policies_list():
    kinds = [(kind, policies.title(kind), policies.edited(kind)) for kind in PolicyKind]
    return render_template("admin/policies.html", kinds=kinds)


@bp.route("/policies/<kind>", methods=["GET", "POST"])
def policy_edit(kind: str):
    if kind not in {k.value for k in PolicyKind}:
        abort(404)
    kind = PolicyKind(kind)
    form = PolicyForm()
    if form.validate_on_submit():
        saved = policies.save(kind, form.body.data, current_user.email)
        db.session.commit()
        flash(_("A new version was saved.") if saved else _("The text has not changed."), "success")
        return redirect(url_for("admin.policy_edit", kind=kind.value))
    if not form.is_submitted():
        form.body.data = policies.current_text(kind)
    return render_template(
        "admin/policy_form.html",
        form=form,
        kind=kind,
        title=policies.title(kind),
        edited=policies.edited(kind),
        default=policies.default_text(kind),
        history=policies.history(kind),
    ), (422 if form.errors else 200)


@bp.post("/orders/<id:order_id>/cash-receipt")
def order_cash_receipt_issued(order_id: int):
    order = db.get_or_404(Order, order_id)
    if cash_receipts.mark_issued(order, current_user.email):
        db.session.commit()
        flash(_("The cash receipt was marked as issued."), "success")
    else:
        flash(_("This order has no cash receipt to mark as issued."), "error")
    return redirect(url_for("admin.order_detail", order_id=order_id))


@bp.post("/orders/<id:order_id>/cash-receipt/cancelled")
def order_cash_receipt_cancelled(order_id: int):
    """The refunded part of the receipt was cancelled: at Toss now, or by the merchant at Hometax."""
    order = db.get_or_404(Order, order_id)
    if order.cash_receipt_key and request.form.get("at") == "toss":
        todo = cash_receipts.follow_refund(order)
        flash(todo or _("The refunded part of the cash receipt was cancelled."), "error" if todo else "success")
    elif cash_receipts.mark_corrected(order, current_user.email):
        db.session.commit()
        flash(_("The refunded part of the cash receipt was cancelled."), "success")
    return redirect(url_for("admin.order_detail", order_id=order_id))


@bp.post("/orders/<id:order_id>/cash-receipt/toss")
def order_cash_receipt_toss(order_id: int):
    order = db.get_or_404(Order, order_id)
    try:
        issued = cash_receipts.issue_online(order, current_user.email)
    except cash_receipts.IssueFailed as exc:
        db.session.rollback()
        flash(_("The cash receipt was not issued: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for("admin.order_detail", order_id=order_id))
    db.session.commit()
    if issued and order.cash_receipt_status == cash_receipts.REQUESTED:
        flash(
            _("The cash receipt was requested through Toss Payments; the tax office answers in a day or two."), "info"
        )
    elif issued:
        flash(_("The cash receipt was issued through Toss Payments."), "success")
    else:
        flash(_("This order has no cash receipt to issue."), "error")
    return redirect(url_for("admin.order_detail", order_id=order_id))
