"""Configuration classes. Secrets come only from the environment."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class ConfigError(RuntimeError):
    """Raised when a configuration cannot safely start the app."""


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'storefront.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    # Sessions: the cookie carries a session version, so no remember-me cookie
    # that could outlive a logout.
    SESSION_COOKIE_NAME = "session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 0
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
    CART_COOKIE_NAME = "cart"
    CART_COOKIE_SECURE = False

    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    UPLOAD_MAX_PIXELS = 40_000_000
    UPLOAD_FOLDER = str(BASE_DIR / "static" / "uploads")
    # Buyers' photos of returned goods are private: outside static/, served after a check.
    RETURN_PHOTO_FOLDER = str(INSTANCE_DIR / "return-photos")
    RETURN_WINDOW_DAYS = _int_env("RETURN_WINDOW_DAYS", 7)
    RETURN_MAX_PHOTOS = 4
    INVOICE_FOLDER = str(INSTANCE_DIR / "invoices")  # issued VAT invoices (PDF), private
    INVOICE_MAX_BYTES = 5 * 1024 * 1024
    # Media storage (storefront.storage): "filesystem" (UPLOAD_FOLDER) or "s3".
    MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "filesystem")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_REGION = os.environ.get("S3_REGION", "us-east-1")
    MEDIA_BASE_URL = os.environ.get("MEDIA_BASE_URL", "")

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    # Redis down must not lock anyone out: each worker counts in memory until it is back.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_HEADERS_ENABLED = True
    # A moving window counts the last minute, whatever the clock says: a fixed window lets a
    # guesser spend two limits across a minute boundary (and made the throttle tests depend
    # on which second of the minute they ran in).
    RATELIMIT_STRATEGY = "moving-window"
    # Its own keys: a fixed window's counters (left in Redis by the previous release) are
    # another Redis type under the same names, and would fail every check until they expire.
    RATELIMIT_KEY_PREFIX = "moving"
    # Every login attempt, per client address and email together.
    LOGIN_RATE_LIMIT = "10 per minute; 50 per hour"
    # Failed logins only (auth/routes.py): per client address whatever the email (a password
    # sprayed over many accounts), per account whatever the address (one account attacked from
    # many), and over the whole shop (a spray from many addresses). The per-account ceiling is
    # higher than the per-address one, so one guesser cannot lock the real user out.
    LOGIN_IP_FAILURE_RATE_LIMIT = "20 per minute; 50 per hour"
    LOGIN_ACCOUNT_FAILURE_RATE_LIMIT = "30 per hour"
    LOGIN_GLOBAL_FAILURE_RATE_LIMIT = "600 per minute"
    REGISTER_RATE_LIMIT = "5 per minute; 30 per hour"
    # Reset requests and reset-form posts: per client address, and per account (email or link).
    PASSWORD_RESET_IP_RATE_LIMIT = "10 per hour"  # noqa: S105 (a rate, not a password)
    PASSWORD_RESET_ACCOUNT_RATE_LIMIT = "5 per hour"  # noqa: S105
    PASSWORD_RESET_GLOBAL_RATE_LIMIT = "300 per hour"  # noqa: S105 (each request is an email)

    # Shop economics, all in integer đồng or basis points.
    SHIPPING_FEE_VND = _int_env("SHIPPING_FEE_VND", 30_000)
    FREE_SHIPPING_THRESHOLD_VND = _int_env("FREE_SHIPPING_THRESHOLD_VND", 500_000)
    # Carriers (storefront/shipping). Off: every carrier is its offline fake (demo, tests),
    # as Stripe's demo page stands in for Stripe. On: GHN, GHTK and Viettel Post for real.
    CARRIERS_LIVE = os.environ.get("CARRIERS_LIVE", "") == "1"
    # Ask the chosen carrier for a live price at checkout (else its rate card's price).
    SHIPPING_LIVE_QUOTES = os.environ.get("SHIPPING_LIVE_QUOTES", "") == "1"
    CARRIER_TIMEOUT_SECONDS = _int_env("CARRIER_TIMEOUT_SECONDS", 8)
    CARRIER_QUOTE_TIMEOUT_SECONDS = _int_env("CARRIER_QUOTE_TIMEOUT_SECONDS", 3)
    GHN_API_BASE = os.environ.get("GHN_API_BASE", "")
    GHTK_API_BASE = os.environ.get("GHTK_API_BASE", "")
    VIETTELPOST_API_BASE = os.environ.get("VIETTELPOST_API_BASE", "")
    VIETTELPOST_PRINT_BASE = os.environ.get("VIETTELPOST_PRINT_BASE", "")
    # Fernet key for the cooperatives' carrier credentials; unset: derived from SECRET_KEY.
    SHIPPING_CREDENTIALS_KEY = os.environ.get("SHIPPING_CREDENTIALS_KEY", "")
    COMMISSION_RATE_BP = _int_env("COMMISSION_RATE_BP", 800)  # 8.00 %
    BANK_TRANSFER_EXPIRY_HOURS = _int_env("BANK_TRANSFER_EXPIRY_HOURS", 48)
    CARD_RESERVATION_MINUTES = _int_env("CARD_RESERVATION_MINUTES", 60)
    SHOP_BANK_NAME = os.environ.get("SHOP_BANK_NAME", "Vietcombank")
    SHOP_BANK_BIN = os.environ.get("SHOP_BANK_BIN", "970436")
    SHOP_BANK_ACCOUNT = os.environ.get("SHOP_BANK_ACCOUNT", "0011004455667")
    SHOP_BANK_ACCOUNT_NAME = os.environ.get("SHOP_BANK_ACCOUNT_NAME", "CONG TY OCOP MARKET")

    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
    STRIPE_DEMO_MODE_ALLOWED = True

    MAIL_FROM = os.environ.get("MAIL_FROM", "OCOP Market <no-reply@ocop.example>")
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = _int_env("SMTP_PORT", 587)
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox"))
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "1") != "0"
    MAIL_MAX_ATTEMPTS = _int_env("MAIL_MAX_ATTEMPTS", 3)
    MAIL_CLAIM_SECONDS = _int_env("MAIL_CLAIM_SECONDS", 300)  # see storefront/mail.py
    MAIL_RETRY_BASE_SECONDS = _int_env("MAIL_RETRY_BASE_SECONDS", 30)

    # Background jobs (storefront.tasks). No broker: tasks run in process after the commit.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
    CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "")
    CELERY_QUEUE = os.environ.get("CELERY_QUEUE", "storefront")

    # Observability (storefront.core.observability).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # "json" for a log shipper
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    METRICS_PUBLIC = True  # without a token; production never
    SENTRY_DSN = os.environ.get("SENTRY_DSN", "")

    # The catalogue cache (catalogue/cache.py): Redis at REDIS_URL, shared by every worker, or
    # in-process without it. Keys carry the catalogue version, so entries are never stale; this
    # only bounds how long unused ones stay. 0 turns the cache off.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    CATALOGUE_CACHE_SECONDS = _int_env("CATALOGUE_CACHE_SECONDS", 600)
    # Several shops (or a rebuilt database, whose version starts again) on one Redis.
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "ocop:")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # The operator's details in every page's footer (Decree 52/2013 and 85/2021 on
    # e-commerce ask for them). Demo values until the operator sets their own.
    # The shop's name as people read it, per language (storefront.core.brand).
    SHOP_NAME = os.environ.get("SHOP_NAME", "Chợ OCOP")
    SHOP_NAME_EN = os.environ.get("SHOP_NAME_EN", "OCOP Market")
    OPERATOR_NAME = os.environ.get("OPERATOR_NAME", "Công ty TNHH Chợ OCOP (demo)")
    OPERATOR_ADDRESS = os.environ.get(
        "OPERATOR_ADDRESS", "Số 1 đường Ví Dụ, phường Hà Giang 1, tỉnh Tuyên Quang"
    )
    OPERATOR_HOTLINE = os.environ.get("OPERATOR_HOTLINE", "1900 0000")
    OPERATOR_EMAIL = os.environ.get("OPERATOR_EMAIL", "hotro@ocop.example")
    OPERATOR_BUSINESS_REGISTRATION = os.environ.get(
        "OPERATOR_BUSINESS_REGISTRATION",
        "GCNĐKDN số 0000000000 do Sở Tài chính tỉnh Tuyên Quang cấp (demo)",
    )
    OPERATOR_MOIT_NOTICE = os.environ.get(
        "OPERATOR_MOIT_NOTICE", "Đã thông báo với Bộ Công Thương (demo: chưa thông báo)"
    )
    OPERATOR_MOIT_URL = os.environ.get("OPERATOR_MOIT_URL", "")
    HSTS = False
    # How many reverse proxies sit in front of gunicorn and set X-Forwarded-For/-Proto.
    # Only trust what is really there: each trusted hop lets a client choose its address.
    TRUSTED_PROXIES = _int_env("TRUSTED_PROXIES", 0)


class DevelopmentConfig(Config):
    DEBUG = False  # the Werkzeug debugger is opt-in via FLASK_DEBUG, never by default


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    REDIS_URL = ""  # the cache is off in tests (NullCache) unless a test sets CACHE_TYPE
    STRIPE_SECRET_KEY = ""
    STRIPE_WEBHOOK_SECRET = "whsec_test_secret"  # noqa: S105 (tests sign payloads with it)
    SMTP_HOST = ""
    MAIL_OUTBOX_DIR = ""  # tests read the in-memory outbox
    MEDIA_STORAGE = "filesystem"
    REDIS_URL = ""
    CELERY_BROKER_URL = ""  # tasks run in process unless a test sets a broker
    CELERY_RESULT_BACKEND = ""
    LOG_FORMAT = "text"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"
    CART_COOKIE_NAME = "__Host-cart"
    CART_COOKIE_SECURE = True
    STRIPE_DEMO_MODE_ALLOWED = False
    HSTS = True
    TRUSTED_PROXIES = _int_env("TRUSTED_PROXIES", 1)  # production runs behind one proxy
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    METRICS_PUBLIC = False  # /metrics needs METRICS_TOKEN

    @classmethod
    def validate(cls, environ=None) -> dict:
        """Read the required secrets, refusing to start without them."""
        environ = os.environ if environ is None else environ
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not environ.get(name)]
        if missing:
            raise ConfigError(
                "Production needs these environment variables: "
                + ", ".join(missing)
                + ". Set them and start again."
            )
        return {
            "SECRET_KEY": environ["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": environ["DATABASE_URL"],
        }


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
