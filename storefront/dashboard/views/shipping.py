"""Shipping: the cooperative's carrier accounts and choices, booking a packed parcel with
the carrier ("Gửi hàng") and its label. Everything starts from g.producer: another
producer's sub-order is a 404, and an account is addressed by carrier within the producer."""

from flask import Response, abort, current_app, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ...core.uow import done, show_in_form
from ...errors import DomainError, back_to
from ...extensions import db
from ...producers.models import MemberRole
from ...shipping import accounts, booking, carriers, quotes
from .. import queries
from ..forms import CarrierAccountForm, ShippingProfileForm
from . import bp, producer_view


def _owner_only():
    if g.membership.role is not MemberRole.OWNER:
        abort(403)


def _page(profile_form=None, account_forms=None, status=200):
    linked = quotes.accounts_of(db.session, g.producer.id)
    profile = quotes.profile_of(db.session, g.producer.id)
    if profile_form is None:
        profile_form = ShippingProfileForm(
            formdata=None,
            data={
                "carrier": profile.carrier if profile else next(iter(linked), ""),
                "free_threshold": profile.free_shipping_threshold if profile else None,
            },
        )
    profile_form.carrier.choices = [SelectChoice(c, carriers.CARRIER_LABELS[c]) for c in linked]
    forms = {code: CarrierAccountForm.for_carrier(code, formdata=None) for code in carriers.CODES}
    forms.update(account_forms or {})
    return (
        render_template(
            "dashboard/shipping.html",
            linked=linked,
            profile=profile,
            profile_form=profile_form,
            account_forms=forms,
            carrier_labels=carriers.CARRIER_LABELS,
            live=carriers.is_live(current_app.config),
            webhook_url=lambda account: url_for(
                "shipping_webhooks.tracking_webhook",
                carrier=account.carrier,
                secret=account.webhook_secret,
                _external=True,
            ),
            has_webhooks=carriers.BASE_SETTINGS,
            active="orders",
        ),
        status,
    )


@bp.get("/dashboard/shipping")
@producer_view
def shipping():
    return _page()


@bp.post("/dashboard/shipping/profile")
@producer_view
def shipping_profile():
    _owner_only()
    form = ShippingProfileForm()
    form.carrier.choices = [
        SelectChoice(c, carriers.CARRIER_LABELS[c])
        for c in quotes.accounts_of(db.session, g.producer.id)
    ]
    if form.validate_on_submit():
        try:
            accounts.save_profile(
                db.session, g.producer, form.carrier.data, form.free_threshold.data, current_user.id
            )
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(_("Shipping choices saved."), url_for("dashboard.shipping"))
    return _page(profile_form=form, status=422)


def _carrier_from_form() -> str:
    carrier = request.form.get("carrier", "")
    if carrier not in carriers.MODULES:
        abort(404)
    return carrier


@bp.post("/dashboard/shipping/accounts")
@producer_view
def shipping_account():
    _owner_only()
    carrier = _carrier_from_form()
    form = CarrierAccountForm.for_carrier(carrier)
    if form.validate_on_submit():
        try:
            accounts.save_account(
                db.session,
                g.producer,
                carrier,
                {name: form[name].data for name in carriers.MODULES[carrier].CREDENTIAL_FIELDS},
                current_app.config,
                current_user.id,
            )
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(
                _("The %(carrier)s account is saved.", carrier=carriers.CARRIER_LABELS[carrier]),
                url_for("dashboard.shipping"),
            )
    return _page(account_forms={carrier: form}, status=422)


@bp.post("/dashboard/shipping/accounts/remove")
@producer_view
def shipping_account_remove():
    _owner_only()
    carrier = _carrier_from_form()
    accounts.remove_account(db.session, g.producer, carrier, current_user.id)
    return done(_("The carrier account is removed."), url_for("dashboard.shipping"))


@bp.post("/dashboard/orders/<int:sub_order_id>/book")
@producer_view
def book_parcel(sub_order_id: int):
    sub_order = queries.get_own_sub_order_or_404(g.producer, sub_order_id)
    back = back_to(url_for("dashboard.order", sub_order_id=sub_order_id))
    booking.request_booking(db.session, g.producer, sub_order, current_user.id, current_app.config)
    return done(_("The carrier is being booked; the tracking code follows."), back)


@bp.get("/dashboard/orders/<int:sub_order_id>/label")
@producer_view
def parcel_label(sub_order_id: int):
    sub_order = queries.get_own_sub_order_or_404(g.producer, sub_order_id)
    label = booking.label(db.session, g.producer, sub_order, current_app.config)
    if label.content.startswith(b"%PDF"):
        mimetype, disposition = "application/pdf", f'inline; filename="label-{sub_order.id}.pdf"'
    else:
        # A carrier's print page (GHN's is HTML) is never rendered from the shop's origin.
        mimetype = "application/octet-stream"
        disposition = f'attachment; filename="label-{sub_order.id}.html"'
    return Response(label.content, mimetype=mimetype, headers={"Content-Disposition": disposition})


@bp.app_template_global()
def shipment_status_label(shipment) -> str:
    return str(shipment.status.label) if shipment is not None else ""
