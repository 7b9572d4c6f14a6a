"""Security headers. The CSP forbids inline scripts and styles: all JS and CSS live in static/."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def content_security_policy(media_origin: str | None = None) -> str:
    """The policy; photos may also come from the media store's origin (S3)."""
    images = "img-src 'self' data:" + (f" {media_origin}" if media_origin else "")
    return CSP.replace("img-src 'self' data:", images)


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        # Chrome applies form-action to the redirect after a POST: Stripe Checkout is one.
        "form-action 'self' https://checkout.stripe.com",
    ]
)


def init_security(app: Flask) -> None:
    trusted_proxies = app.config.get("TRUSTED_PROXIES", 0)
    if trusted_proxies:
        # Behind N proxies the client address is in X-Forwarded-For. Without this every
        # buyer would share the proxy's address, and the login throttle (keyed on address
        # and email) would let one attacker lock a real user out.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted_proxies, x_proto=trusted_proxies)

    from ..storage import storage_for

    csp = content_security_policy(storage_for(app).origin())

    @app.after_request
    def set_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if app.config.get("HSTS"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
            )
        return response
