"""The back office as a web app on the merchant's Home Screen: its manifest and its service worker.

Both are public (``PUBLIC_ENDPOINTS``): browsers fetch the manifest without cookies, and refuse
a service worker script that answers with a redirect to the login page. Neither holds anything
private (the shop's name, the icons, the script that shows a push). They are served under
``/admin/`` so that the worker's scope is the back office and nothing else; the worker only shows
pushes and caches no page.
"""

import json

from flask import current_app, send_from_directory, url_for
from flask_babel import gettext as _

from ..settings import shop_settings
from . import bp

THEME_COLOR = "#1f5fd6"  # --brand in site.css, as the icons are
ICONS = ((192, "any"), (512, "any"), (512, "maskable"))


@bp.get("/manifest.webmanifest")
def manifest():
    start = url_for("admin.index")
    body = {
        "id": start,
        "name": _("%(shop)s admin", shop=shop_settings().name),
        "short_name": _("Shop admin"),
        "lang": current_app.config["BABEL_DEFAULT_LOCALE"],
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {
                "src": url_for("static", filename=f"img/admin-icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": purpose,
            }
            for size, purpose in ICONS
        ],
    }
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker():
    response = send_from_directory(current_app.static_folder, "js/admin-sw.js", mimetype="text/javascript", max_age=0)
    # Browsers look for a new worker at least daily; no-cache makes them ask us each time.
    response.headers["Cache-Control"] = "no-cache"
    return response
