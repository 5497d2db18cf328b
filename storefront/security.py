"""Response headers every page carries: CSP, no sniffing, no Referer to other sites, no framing of the admin."""

from flask import Flask, g, request

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


def content_security_policy() -> str:
    policy = {name: list(sources) for name, sources in BASE_POLICY.items()}
    for name, sources in g.get("csp_extra", {}).items():
        policy[name] = [s for s in policy.get(name, []) if s != "'none'"] + sources
    if request.blueprint == "admin":
        policy["frame-ancestors"] = ["'none'"]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        # Product URLs are secrets: never send them to another site as a Referer.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
