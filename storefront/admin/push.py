"""알림 받기 on 관리자 홈: the merchant's devices that receive Web Push (storefront.push).

The browser's side is ``static/js/push.js``: after a tap on 알림 받기 it asks for the permission,
fetches the VAPID key, subscribes, and posts the subscription here as JSON, the CSRF token in a
header. The switches of each device are a plain form, which names the device in a hidden field.
"""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import push
from ..extensions import db
from ..models import PushSubscription
from ..numbers import parse_id
from . import bp
from .forms.push import PushEventsForm


def push_panel() -> list[tuple[PushSubscription, PushEventsForm]]:
    """The merchant's own devices, each with the form of its switches (관리자 홈)."""
    return [(device, _events_form(device, formdata=None, obj=device)) for device in push.devices_of(current_user)]


def _events_form(device: PushSubscription, **kwargs) -> PushEventsForm:
    return PushEventsForm(prefix=f"device-{device.id}", **kwargs)


@bp.post("/push/key")
def push_key():
    """The VAPID public key to subscribe with (a POST: the first ask makes the key)."""
    key = push.public_key()
    db.session.commit()
    return {"publicKey": key}


@bp.post("/push/subscriptions")
def push_subscribe():
    browser = push.parse_subscription(request.get_json(silent=True))
    if browser is None:
        return {"error": "not a push subscription"}, 400
    push.subscribe(current_user, browser, push.device_label(request.user_agent.string))
    db.session.commit()
    return {"subscribed": True}, 201


@bp.post("/push/subscriptions/forget")
def push_unsubscribe():
    """알림 끄기 on this browser: it sends its own endpoint."""
    data = request.get_json(silent=True)
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    if not isinstance(endpoint, str):
        return {"error": "no endpoint"}, 400
    push.unsubscribe(endpoint)
    db.session.commit()
    return {"subscribed": False}


def _posted_device() -> PushSubscription:
    """The device a form names: one of the merchant's own (another account's devices are not theirs)."""
    subscription_id = parse_id(request.form.get("device"))
    return (subscription_id and push.device_of(current_user, subscription_id)) or abort(404)


@bp.post("/push/devices/events")
def push_events():
    device = _posted_device()
    form = _events_form(device)
    if not form.validate_on_submit():
        abort(400)
    push.set_events(device, form.chosen())
    db.session.commit()
    flash(_("Notification settings saved."), "success")
    return redirect(url_for("admin.index", _anchor="push"))


@bp.post("/push/devices/remove")
def push_remove():
    device = _posted_device()
    push.remove(device)
    db.session.commit()
    flash(_("That device no longer receives notifications."), "success")
    return redirect(url_for("admin.index", _anchor="push"))
