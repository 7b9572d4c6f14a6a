"""The request-side of carts: finding the buyer's cart from the cookie or the login.

Owned by the checkout issue; the auth views call merge_anonymous_cart_into on login.
"""

from flask import request

from ..extensions import db


def merge_anonymous_cart_into(user) -> None:
    from flask import current_app

    from .services import merge_carts

    token = request.cookies.get(current_app.config["CART_COOKIE_NAME"])
    if token:
        merge_carts(db.session, token, user)
