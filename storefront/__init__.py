"""OCOP Market: the app factory is a short list of named steps, with no I/O."""

from pathlib import Path

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent


def create_app(config: str | type | dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_path=str(PACKAGE_DIR.parent / "instance"),
    )
    load_config(app, config)
    register_extensions(app)
    register_tasks(app)
    register_observability(app)
    register_i18n(app)
    register_validators(app)
    register_blueprints(app)
    register_security(app)
    register_template_helpers(app)
    register_errors(app)
    register_unit_of_work(app)
    register_cli(app)
    return app


def load_config(app: Flask, config) -> None:
    import os

    from config import CONFIGS, ProductionConfig

    overrides = {}
    if isinstance(config, dict):
        overrides, config = config, None
    if config is None:
        config = os.environ.get("STOREFRONT_CONFIG", "development")
    config_cls = CONFIGS[config] if isinstance(config, str) else config
    app.config.from_object(config_cls)
    if issubclass(config_cls, ProductionConfig):
        app.config.update(ProductionConfig.validate())
    app.config.update(overrides)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith(f"sqlite:///{app.instance_path}"):
        # As in the Flask tutorial: the default SQLite file lives in instance/, made on demand.
        os.makedirs(app.instance_path, exist_ok=True)


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every table registered before the first query)
    from .catalogue import variants  # noqa: F401  (every new product gets its first variant)
    from .catalogue.search import is_search_object
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(PACKAGE_DIR.parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
        # What the search backends own is not in the models (catalogue/search.py).
        include_object=is_search_object,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from .catalogue.cache import init_cache

    init_cache(app)
    from .catalogue.fragments import init_fragments

    init_fragments(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from .core.sqlite import enable_sqlite_foreign_keys

        with app.app_context():
            enable_sqlite_foreign_keys(db.engine)


def register_tasks(app: Flask) -> None:
    from .storage import init_storage
    from .tasks import celery_init_app

    init_storage(app)
    celery_init_app(app)


def register_observability(app: Flask) -> None:
    from .core.observability import init_observability

    init_observability(app)


def register_i18n(app: Flask) -> None:
    from .core.i18n import init_i18n

    init_i18n(app)


def register_validators(app: Flask) -> None:
    from .core.validators import init_validators

    init_validators(app)


def register_blueprints(app: Flask) -> None:
    from .admin.bank_changes import bp as admin_bank_bp
    from .admin.policy_pages import bp as admin_pages_bp
    from .admin.routes import bp as admin_bp
    from .admin.shipping import bp as admin_shipping_bp
    from .admin.vouchers import bp as admin_vouchers_bp
    from .auth.account_routes import bp as account_bp
    from .auth.routes import bp as auth_bp
    from .cart.routes import bp as cart_bp
    from .catalogue.api import bp as api_bp
    from .catalogue.routes import bp as catalogue_bp
    from .core.routes import bp as core_bp
    from .dashboard.routes import bp as dashboard_bp
    from .orders.routes import bp as orders_bp
    from .orders.webhooks import bp as webhooks_bp
    from .pages.routes import bp as pages_bp
    from .reviews.routes import admin_bp as admin_reviews_bp
    from .reviews.routes import bp as reviews_bp
    from .shipping.api import bp as shipping_api_bp
    from .shipping.webhooks import bp as shipping_webhooks_bp
    from .wishlist.routes import bp as wishlist_bp

    for blueprint in (
        core_bp,
        auth_bp,
        account_bp,
        catalogue_bp,
        api_bp,
        cart_bp,
        orders_bp,
        webhooks_bp,
        dashboard_bp,
        admin_bp,
        admin_pages_bp,
        admin_bank_bp,
        admin_vouchers_bp,
        pages_bp,
        reviews_bp,
        admin_reviews_bp,
        wishlist_bp,
        shipping_api_bp,
        shipping_webhooks_bp,
        admin_shipping_bp,
    ):
        app.register_blueprint(blueprint)


def register_security(app: Flask) -> None:
    from .core.security import init_security

    init_security(app)


def register_template_helpers(app: Flask) -> None:
    from .core.templating import init_templating

    init_templating(app)


def register_errors(app: Flask) -> None:
    from .errors import register_error_pages

    register_error_pages(app)


def register_unit_of_work(app: Flask) -> None:
    from .core.uow import init_unit_of_work

    init_unit_of_work(app)


def register_cli(app: Flask) -> None:
    from .cli import register_commands

    register_commands(app)
