"""Public pages the law asks for: the policies, and 비회원 주문조회."""

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import business, cash_receipts, guest_lookup, policies
from ..extensions import db
from ..models import PolicyKind
from . import bp
from .forms import GuestLookupForm

# Templates everywhere (the footer, order pages in the shop and the admin) ask these modules.
bp.add_app_template_global(business, "business")
bp.add_app_template_global(cash_receipts, "cash_receipts")
bp.add_app_template_global(lambda kind: policies.current_text(PolicyKind(kind)), "policy_text")
bp.add_app_template_global(policies.title, "policy_title")


@bp.get("/policies/<kind>")
def policy(kind: str):
    if kind not in {k.value for k in PolicyKind}:
        abort(404)
    kind = PolicyKind(kind)
    return render_template("shop/policy.html", title=policies.title(kind), body=policies.current_text(kind), kind=kind)


@bp.route("/orders/lookup", methods=["GET", "POST"], endpoint="guest_lookup")
def guest_lookup_page():
    # A message's link names the order (?order_no=): the buyer types only their phone number.
    form = GuestLookupForm(order_no=request.args.get("order_no", "")[:20])
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return _private(render_template("shop/guest_lookup.html", form=form), status)
    result = guest_lookup.lookup(form.order_no.data, form.phone.data, request.remote_addr or "")
    db.session.commit()  # failed tries count even though nothing is shown
    if result.outcome is guest_lookup.Outcome.FOUND:
        guest_lookup.grant(result.order)
        return redirect(url_for("shop.order", order_no=result.order.order_no))
    if result.outcome is guest_lookup.Outcome.THROTTLED:
        minutes = current_app.config["GUEST_LOOKUP_WINDOW_MINUTES"]
        error = _("Too many tries. For your security, wait %(n)d minutes and try again.", n=minutes)
        return _private(render_template("shop/guest_lookup.html", form=form, error=error), 429)
    error = _("No order matches this order number and mobile number. Check both and try again.")
    return _private(render_template("shop/guest_lookup.html", form=form, error=error), 404)


def _private(body, status):
    return body, status, {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow"}
