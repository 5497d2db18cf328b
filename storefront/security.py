"""Response headers every page carries: CSP, no sniffing, no Referer to other sites.

Shop pages may be framed only by the shop itself (no clickjacking of the checkout), the admin by nobody.
A request whose address carries a NUL is answered 404 before any view runs.
"""

import json
import logging
from urllib.parse import urlsplit

from flask import Flask, abort, g, request

from . import storage

log = logging.getLogger(__name__)

# No inline scripts anywhere: every script is a static file of this site.
BASE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-src": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}

# The card payment page runs the Toss Payments v2 SDK. No Toss page lists the hosts it loads, so
# this is the hosts Toss names for its own products (the BrandPay firewall list: *.tosspayments.com,
# static.toss.im, polyfill-fe.toss.im, assets-fe.toss.im): scripts, API and log calls, styles,
# images and fonts from them; the payment window in frames of *.tosspayments.com (토스페이 in
# *.toss.im). On a phone the SDK may instead post the whole page to the payment window, which
# then redirects to a card issuer or app-card page; browsers apply form-action to those
# redirects and no list of issuers exists, so this page alone lets forms go to any https site
# (no inline script runs here, so no injected form can use it). Other pages allow none of it.
# Every page reports what a browser blocked to /csp-report (logged), so the first real payment
# on a phone names any host still missing.
TOSS_HOSTS = ["https://*.tosspayments.com", "https://static.toss.im", "https://polyfill-fe.toss.im",
              "https://assets-fe.toss.im"]  # fmt: skip
TOSS_POLICY = {
    "script-src": TOSS_HOSTS,
    "connect-src": TOSS_HOSTS,
    "frame-src": ["https://*.tosspayments.com", "https://*.toss.im"],
    "form-action": ["https:"],
    "img-src": TOSS_HOSTS,
    "font-src": TOSS_HOSTS,
    "style-src": ["'unsafe-inline'", *TOSS_HOSTS],
}
REPORT_PATH = "/csp-report"
REPORT_MAX_BYTES = 16 * 1024


def allow_toss_widget() -> None:
    """Called by the view that renders the card payment page."""
    g.csp_extra = TOSS_POLICY


# The checkout's 주소 검색 runs the Kakao 우편번호 service (Kakao moved it from t1.daumcdn.net and
# postcode.map.daum.net in 2026; the old search page may still answer, so both frame hosts are allowed).
# The service sets inline styles on the element it is embedded in.
POSTCODE_SCRIPT = "https://t1.kakaocdn.net/mapjsapi/bundle/postcode/prod/postcode.v2.js"
POSTCODE_POLICY = {
    "script-src": ["https://t1.kakaocdn.net"],
    "frame-src": ["https://postcode.map.kakao.com", "https://postcode.map.daum.net"],
    "style-src": ["'unsafe-inline'"],
}


def allow_postcode_service() -> str:
    """Called by the view that renders the checkout with an address; returns the script's URL."""
    g.csp_extra = POSTCODE_POLICY
    return POSTCODE_SCRIPT


def content_security_policy() -> str:
    policy = {name: list(sources) for name, sources in BASE_POLICY.items()}
    if pictures_origin := storage.public_origin():  # pictures served from a bucket or CDN
        policy["img-src"].append(pictures_origin)
    for name, sources in g.get("csp_extra", {}).items():
        policy[name] = [s for s in policy.get(name, []) if s != "'none'"] + sources
    if request.blueprint == "admin":
        policy["frame-ancestors"] = ["'none'"]
    policy["report-uri"] = [REPORT_PATH]  # older browsers
    policy["report-to"] = ["csp"]  # Chromium, with the Reporting-Endpoints header
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


def _without_secrets(url: str) -> str:
    """A page's path with its long segments (product tokens, order numbers) and query left out:
    a product URL is a secret, never written to a log in full."""
    return "/".join(part if len(part) < 12 else "…" for part in urlsplit(url).path.split("/"))[:100]


def log_violation_report(body: bytes) -> bool:
    """Log what a browser says it blocked (report-uri's csp-report, or report-to's list of reports);
    False when the body is not a report. Only the fields that say what to allow are kept."""
    try:
        data = json.loads(body)
    except ValueError:
        return False
    reports = data if isinstance(data, list) else [data]
    logged = False
    for report in reports:
        if not isinstance(report, dict):
            continue
        fields = report.get("csp-report") or report.get("body")
        if not isinstance(fields, dict):
            continue
        blocked = fields.get("blocked-uri") or fields.get("blockedURL") or ""
        directive = fields.get("violated-directive") or fields.get("effectiveDirective") or ""
        page = fields.get("document-uri") or fields.get("documentURL") or ""
        log.warning("CSP blocked %.200s (%.60s) on %s", blocked, directive, _without_secrets(str(page)))
        logged = True
    return logged


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul():
        # No address of this site contains a NUL, and PostgreSQL refuses one in any text it compares (path
        # arguments are looked up as they are): answer 404 here rather than fail in a query later.
        if "\x00" in request.path:
            abort(404)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("Reporting-Endpoints", f'csp="{REPORT_PATH}"')
        # Product URLs are secrets: never send them to another site as a Referer.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # For browsers that predate frame-ancestors; the admin's own after_request has already set DENY.
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response
