"""The shop as the checkout benchmark serves it: the production config, minus CSRF (the
load generator does not parse forms) and the rate limiter. Bench-only; never deployed."""

from config import ProductionConfig
from storefront import create_app as _create_app


class BenchCheckoutConfig(ProductionConfig):
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False


def create_checkout_app():
    return _create_app(BenchCheckoutConfig)
