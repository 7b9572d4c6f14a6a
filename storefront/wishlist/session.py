"""The request side: whose wishlist this is, and the recently viewed products.

A guest's wishlist is keyed by the cart cookie's token (it lives with the cart); recently
viewed products are a short list of ids in the signed session, so no cookie of our own is
added for it and nothing is stored about the visitor on the server.
"""

from flask import current_app, request, session
from flask_login import current_user

from ..extensions import db
from . import services

RECENT_KEY = "recent"
RECENT_MAX = 8
_ENV_KEY = "storefront.wished"


def current_owner(create: bool = False) -> services.Owner:
    if current_user.is_authenticated:
        return services.Owner(user_id=current_user.id)
    if create:
        from ..cart.session import current_cart

        return services.Owner(guest_token=current_cart(create=True).token)
    token = request.cookies.get(current_app.config["CART_COOKIE_NAME"]) or ""
    # Our tokens are short URL-safe strings; anything else is someone else's cookie.
    if not token or len(token) > 64 or not token.replace("-", "").replace("_", "").isalnum():
        return services.Owner()
    return services.Owner(guest_token=token)


def wished_ids() -> set[int]:
    """The visitor's wishlist product ids, read at most once per request (no query at all
    for a guest without a cart cookie)."""
    cached = request.environ.get(_ENV_KEY)
    if cached is None:
        cached = request.environ[_ENV_KEY] = services.product_ids(db.session, current_owner())
    return cached


def remember_viewed(product_id: int) -> None:
    recent = [i for i in recent_ids() if i != product_id]
    session[RECENT_KEY] = [product_id, *recent][:RECENT_MAX]


def recent_ids(exclude: int | None = None) -> list[int]:
    raw = session.get(RECENT_KEY)
    if not isinstance(raw, list):
        return []
    ids = [i for i in raw if isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31]
    return [i for i in ids if i != exclude][:RECENT_MAX]
