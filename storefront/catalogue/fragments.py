"""Rendered HTML of the catalogue pages' main part, kept in the catalogue cache.

Caching the rows alone left a cache hit rebuilding 24 cards, the facets and their links and
labels on every request: three quarters of a cached listing's time (in process on PostgreSQL,
10,000 products: 18 ms of which 13 ms in Jinja). So the main part of a page is rendered once
per catalogue version and language, and a hit only renders the header and footer around it.

What differs per visitor is left as holes in the stored HTML and filled per request:
- the CSRF token of the forms (`csrf_token()` renders a hole while a shared part is made),
- this page's address (`this_page()`, the forms' `next`), as typed by this visitor,
- named sections built per request (recently viewed), rendered by the view.
A visitor who would see the shared part differently is given a fresh render instead: the
view decides (`fragment.ids` are the products whose hearts the wishlist would change).

Holes are marked with a string made from SECRET_KEY, so a product's text cannot forge one,
and every worker (and the shared Redis cache) agrees on it.
"""

import functools
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app, has_request_context, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from ..clock import utcnow
from .cache import cached_value, is_enabled

_SHARING = "storefront.rendering_shared_fragment"


@dataclass
class Fragment:
    html: str  # with holes
    data: Any = None  # what the view needs besides the HTML (kept with it)
    ids: frozenset[int] = field(default_factory=frozenset)  # products with a wishlist heart
    fresh_until: datetime | None = None  # a sale starts or ends then: render again


def _hole(name: str) -> str:
    return _mark(current_app.config["SECRET_KEY"], name)


@functools.cache
def _mark(secret: str | bytes, name: str) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    mark = hmac.new(key, f"fragment-hole:{name}".encode(), hashlib.sha256).hexdigest()[:20]
    return f"@@{name}-{mark}@@"


def sharing() -> bool:
    return has_request_context() and bool(request.environ.get(_SHARING))


def csrf_token() -> str:
    """The template global: the visitor's token, or its hole inside a shared fragment."""
    return _hole("csrf") if sharing() else generate_csrf()


def this_page() -> str:
    """This page's address (path and query), for forms that come back here."""
    return _hole("page") if sharing() else request.full_path.rstrip("?")


def section_hole(name: str) -> str:
    """Where a per-visitor section (rendered by the view) goes in a shared fragment (letters,
    digits, @ and dashes: autoescaping leaves it as it is)."""
    return _hole(f"section-{name}")


def init_fragments(app) -> None:
    # Replaces Flask-WTF's own global and context variable (same name, same token outside
    # shared fragments); registered after Flask-WTF's context processor, so it wins.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
    app.jinja_env.globals["this_page"] = this_page
    app.jinja_env.globals["section_hole"] = section_hole


def render_shared(render) -> str:
    """render() with the per-visitor parts left as holes."""
    request.environ[_SHARING] = True
    try:
        return str(render())
    finally:
        request.environ.pop(_SHARING, None)


def fragment(name: str, args: tuple, build) -> Fragment:
    """build() -> Fragment, kept per catalogue version, language, `name` and `args`.

    build() must render its HTML through render_shared. Without the cache it simply runs.
    """
    from flask_babel import get_locale

    def still_fresh(entry: Fragment) -> bool:
        return entry.fresh_until is None or utcnow() < entry.fresh_until

    if not is_enabled():
        return build()
    return cached_value(name, (str(get_locale()), *args), build, still_fresh)


def fill(entry: Fragment, sections: dict[str, str] | None = None) -> Markup:
    """The fragment's HTML with this visitor's token, address and sections."""
    html = entry.html
    csrf = _hole("csrf")
    if csrf in html:
        html = html.replace(csrf, generate_csrf())
    page = _hole("page")
    if page in html:
        html = html.replace(page, str(escape(request.full_path.rstrip("?"))))
    for name, value in (sections or {}).items():
        html = html.replace(_hole(f"section-{name}"), str(value))
    # Rendered by Jinja with autoescape; the holes are filled with escaped or rendered HTML.
    return Markup(html)  # noqa: S704  # nosec B704


def sale_bounds(rows, now: datetime | None = None) -> datetime | None:
    """The first sale start or end still to come among card rows or products: a price shown
    in a stored fragment is right until then."""
    now = now or utcnow()
    times = [
        moment
        for row in rows
        if row.sale_price is not None
        for moment in (row.sale_starts_at, row.sale_ends_at)
        if moment is not None and moment > now
    ]
    return min(times, default=None)
