from flask import Flask, has_request_context, request, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..clock import today_vn
from ..extensions import db
from ..money import format_vnd, format_vnd_deduction
from ..storage import absolute_media_url, media_url
from . import places
from .brand import shop_name


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["vnd"] = format_vnd
    app.jinja_env.filters["vnd_deduction"] = format_vnd_deduction
    app.jinja_env.filters["date"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )
    # Timestamps are stored as naive UTC; people read them in Vietnam's time (the Babel zone).
    app.jinja_env.filters["datetime"] = lambda value, fmt="short": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["province_name"] = places.province_name
    app.jinja_env.filters["ward_name"] = places.ward_name
    app.jinja_env.globals["place_label"] = places.place_label
    app.jinja_env.globals["today_vn"] = today_vn
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["media_url"] = media_url
    app.jinja_env.globals["absolute_media_url"] = absolute_media_url
    app.jinja_env.globals["webp_srcset"] = webp_srcset
    app.jinja_env.globals["shop_name"] = shop_name

    def main_nav():
        items = [
            ("catalogue.products", _l("Products")),
            ("catalogue.producers", _l("Producers")),
            ("wishlist.view", _l("Wishlist")),
        ]
        # Emails are rendered outside requests: they get the anonymous menu.
        if has_request_context() and current_user.is_authenticated:
            items.append(("orders.account_orders", _l("My orders")))
            if current_user.is_producer:
                items.append(("dashboard.index", _l("Dashboard")))
            if current_user.is_admin:
                items.append(("admin.index", _l("Admin")))
        return [(endpoint, label) for endpoint, label in items if endpoint in app.view_functions]

    def cart_item_count() -> int:
        """Units in the visitor's cart, for the header (one small query, only when asked)."""
        if not has_request_context() or "cart.view" not in app.view_functions:
            return 0
        from ..cart.services import item_count
        from ..cart.session import current_cart

        return item_count(db.session, current_cart())

    app.jinja_env.globals["cart_item_count"] = cart_item_count

    @app.context_processor
    def inject_globals():
        return {
            "main_nav": main_nav(),
            "url_endpoints": app.view_functions,
            "current_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
            "current_path": request.full_path.rstrip("?") if has_request_context() else "/",
        }


def webp_srcset(image) -> str:
    """`srcset` of a product photo's WebP versions ("" until the image task has made them)."""
    from ..catalogue.images import webp_name

    widths = image.webp_widths or () if image is not None else ()
    return ", ".join(f"{media_url(webp_name(image.filename, w))} {w}w" for w in widths)


def page_url(number: int) -> str:
    """This page's address with ?page=number, its other arguments kept (the pagination macro)."""
    arguments = {**request.view_args, **request.args.to_dict(), "page": number}
    return url_for(request.endpoint, **arguments)
