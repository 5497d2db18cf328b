"""Response headers every page carries: CSP, no sniffing, no Referer to other sites.

Shop pages may be framed only by the shop itself (no clickjacking of the checkout), the admin by nobody.
A request whose address carries a NUL is answered 404 before any view runs.
"""

from flask import Flask, abort, g, request

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

# The card payment page runs the Toss Payments v2 SDK: its script (and the chunks it loads) from
# js.tosspayments.com, its API and log calls to *.tosspayments.com, the payment-method and agreement
# widgets and the payment window in frames of *.tosspayments.com (토스페이 in *.toss.im; card
# issuers' pages open inside those frames, under their own policy), the forms it posts to its
# payment window, its injected styles and images. Other pages allow none of it.
TOSS_POLICY = {
    "script-src": ["https://js.tosspayments.com"],
    "connect-src": ["https://*.tosspayments.com"],
    "frame-src": ["https://*.tosspayments.com", "https://*.toss.im"],
    "form-action": ["https://*.tosspayments.com"],
    "img-src": ["https://*.tosspayments.com", "https://static.toss.im"],
    "style-src": ["'unsafe-inline'"],
}


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
    for name, sources in g.get("csp_extra", {}).items():
        policy[name] = [s for s in policy.get(name, []) if s != "'none'"] + sources
    if request.blueprint == "admin":
        policy["frame-ancestors"] = ["'none'"]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


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
        # Product URLs are secrets: never send them to another site as a Referer.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # For browsers that predate frame-ancestors; the admin's own after_request has already set DENY.
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response
