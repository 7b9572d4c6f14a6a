"""/wishlist, the heart buttons and "Báo khi có hàng" (back-in-stock alerts)."""

from flask import Blueprint, abort, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..catalogue.forms import is_slug
from ..catalogue.queries import get_public_product
from ..core.uow import done
from ..core.urls import safe_next
from ..errors import ValidationFailed, back_to
from ..extensions import db
from . import services
from .forms import AlertForm, WishlistForm
from .session import current_owner, wished_ids

bp = Blueprint("wishlist", __name__)
bp.add_app_template_global(wished_ids, "wished_ids")


@bp.get("/wishlist")
def view():
    return render_template("wishlist/view.html", items=services.items(db.session, current_owner()))


def _form_or_refuse() -> WishlistForm:
    form = WishlistForm()
    back_to(safe_next(form.next.data, url_for("wishlist.view")))
    if not form.validate_on_submit():
        raise ValidationFailed(_("Unknown product."))
    return form


@bp.post("/wishlist/add")
def add():
    form = _form_or_refuse()
    product = services.add(db.session, current_owner(create=True), form.product_id.data)
    return done(
        _("%(name)s is on your wishlist.", name=product.name),
        safe_next(form.next.data, url_for("wishlist.view")),
    )


@bp.post("/wishlist/remove")
def remove():
    form = _form_or_refuse()
    services.remove(db.session, current_owner(), form.product_id.data)
    return done(
        _("Removed from your wishlist."), safe_next(form.next.data, url_for("wishlist.view"))
    )


@bp.post("/products/<slug>/alert")
def alert(slug: str):
    product = get_public_product(slug) if is_slug(slug) else None
    if product is None:
        abort(404)
    target = back_to(url_for("catalogue.product", slug=product.slug, _anchor="stock-alert"))
    form = AlertForm()
    if current_user.is_authenticated and not form.email.data:
        form.email.data = current_user.email
    if not form.validate_on_submit():
        errors = [str(e) for field in form for e in field.errors]
        raise ValidationFailed(errors[0] if errors else _("Enter a valid email address."))
    services.request_alert(
        db.session,
        product,
        form.email.data,
        current_user.id if current_user.is_authenticated else None,
        str(get_locale() or "vi"),
    )
    return done(
        _(
            "We will email %(email)s once when %(name)s is back in stock.",
            email=form.email.data.strip().lower(),
            name=product.name,
        ),
        target,
    )
