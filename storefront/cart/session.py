"""The request side of carts: finding the buyer's cart from the login or the cart cookie.

Only this module (and the views) read the request; services get the cart passed in.
The auth views call merge_anonymous_cart_into on login and registration.
"""

from flask import after_this_request, current_app, request
from flask_login import current_user

from ..extensions import db
from . import services
from .models import Cart

COOKIE_MAX_AGE = 60 * 60 * 24 * 30
_ENV_KEY = "storefront.cart"
_MISSING = object()


def _cookie_name() -> str:
    return current_app.config["CART_COOKIE_NAME"]


def _set_cookie_later(token: str) -> None:
    @after_this_request
    def set_cart_cookie(response):
        response.set_cookie(
            _cookie_name(),
            token,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["CART_COOKIE_SECURE"],
            path="/",
        )
        return response


def current_cart(create: bool = False) -> Cart | None:
    """The logged-in buyer's cart, else the anonymous cart of the cookie (created on demand)."""
    # Cached per request (not on `g`: an app context can outlive one request).
    cached = request.environ.get(_ENV_KEY, _MISSING)
    if cached is not _MISSING and (cached is not None or not create):
        return cached
    if current_user.is_authenticated:
        cart = (
            services.get_or_create_user_cart(db.session, current_user)
            if create
            else services.find_user_cart(db.session, current_user)
        )
    else:
        cart = services.find_anonymous_cart(db.session, request.cookies.get(_cookie_name()))
        if cart is None and create:
            cart = services.create_anonymous_cart(db.session)
            _set_cookie_later(cart.token)
    request.environ[_ENV_KEY] = cart
    return cart


def merge_anonymous_cart_into(user) -> None:
    token = request.cookies.get(_cookie_name())
    if token:
        from ..wishlist import services as wishlist

        wishlist.merge(db.session, token, user.id)  # the guest's wishlist lives with the cart
        services.merge_carts(db.session, token, user)
