"""/account/...: the signed-in person's own area (addresses, email, sessions, second factor,
personal data). Every query starts from current_user: another person's address is a 404."""

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..clock import utcnow
from ..core import places
from ..core.urls import safe_next
from ..errors import DomainError, NotFound
from ..extensions import db
from . import addresses, privacy, services, twofactor
from .forms import AddressForm, ChangeEmailForm, CodeForm, ConfirmForm, DeleteAccountForm
from .tokens import Links
from .twofactor import MFA_SESSION_KEY

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.before_request
@login_required
def _signed_in_only():
    """Every /account URL needs a signed-in person."""


def _locale() -> str:
    return str(get_locale() or "vi")


def _user():
    return current_user._get_current_object()


# ------------------------------------------------------------------ addresses


@bp.get("/addresses")
def address_book():
    return render_template(
        "account/addresses.html",
        addresses=addresses.list_for(_user()),
        place_label=places.place_label,
        form=ConfirmForm(),
    )


def _details(form: AddressForm) -> addresses.AddressDetails:
    return addresses.AddressDetails(
        recipient_name=form.recipient_name.data,
        phone=form.phone.data,
        province_code=form.province.data,
        ward_code=form.ward.data,
        street=form.street.data,
    )


@bp.route("/addresses/new", methods=["GET", "POST"])
def address_new():
    form = AddressForm()
    if request.method == "POST" and request.form.get("action") == "wards":
        return render_template("account/address_form.html", form=form, address=None)
    if form.validate_on_submit():
        try:
            addresses.add(_user(), _details(form), bool(form.make_default.data))
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            flash(_("The address is saved."), "success")
            return redirect(url_for("account.address_book"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("account/address_form.html", form=form, address=None), status


@bp.route("/addresses/<int:address_id>/edit", methods=["GET", "POST"])
def address_edit(address_id: int):
    try:
        address = addresses.get_own(_user(), address_id)
    except NotFound:
        abort(404)
    if request.method in ("GET", "HEAD"):
        form = AddressForm(
            data={
                "recipient_name": address.recipient_name,
                "phone": address.phone,
                "province": address.province_code,
                "ward": address.ward_code,
                "street": address.street,
                "make_default": address.is_default,
            }
        )
    else:
        form = AddressForm()
    if request.method == "POST" and request.form.get("action") == "wards":
        return render_template("account/address_form.html", form=form, address=address)
    if form.validate_on_submit():
        try:
            addresses.edit(_user(), address.id, _details(form), bool(form.make_default.data))
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            flash(_("The address is saved."), "success")
            return redirect(url_for("account.address_book"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("account/address_form.html", form=form, address=address), status


def _address_action(change, address_id: int, message):
    """A one-button change to one of the person's own addresses; anyone else's is a 404."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        change(_user(), address_id)
    except NotFound:
        abort(404)
    flash(message, "success")
    return redirect(url_for("account.address_book"), code=303)


@bp.post("/addresses/<int:address_id>/delete")
def address_delete(address_id: int):
    return _address_action(addresses.remove, address_id, _("The address is deleted."))


@bp.post("/addresses/<int:address_id>/default")
def address_default(address_id: int):
    return _address_action(
        addresses.set_default, address_id, _("This is now your default address.")
    )


# ------------------------------------------------------------------ email


@bp.route("/email", methods=["GET", "POST"])
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            services.request_email_change(
                _user(),
                form.password.data,
                form.new_email.data,
                Links.from_config(current_app.config),
                _locale(),
            )
        except DomainError as error:
            db.session.rollback()
            form.new_email.errors.append(error.message)
        else:
            flash(
                _(
                    "We sent a link to %(email)s. Your address changes when you open it.",
                    email=services.normalise_email(form.new_email.data),
                ),
                "success",
            )
            return redirect(url_for("auth.account"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("account/change_email.html", form=form), status


# ------------------------------------------------------------------ sessions


@bp.post("/sessions/end")
def sign_out_everywhere():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.end_sessions(_user())
    logout_user()
    session.pop(MFA_SESSION_KEY, None)
    flash(_("You were signed out on every device, this one included."), "success")
    return redirect(url_for("auth.login"), code=303)


# ------------------------------------------------------------------ second factor


@bp.route("/2fa", methods=["GET", "POST"])
def two_factor():
    user = _user()
    target = safe_next(request.args.get("next"), "")
    if user.totp_enabled:
        return render_template(
            "account/two_factor.html",
            user=user,
            form=CodeForm(),
            remaining=twofactor.unused_recovery_codes(user),
            codes=None,
        )
    form = CodeForm()
    if not user.totp_secret:
        twofactor.start_enrolment(user)
    elif request.method == "POST" and form.validate_on_submit():
        try:
            codes = twofactor.confirm_enrolment(user, form.code.data)
        except DomainError as error:
            db.session.rollback()
            form.code.errors.append(error.message)
        else:
            session[MFA_SESSION_KEY] = user.id
            flash(_("The second factor is on."), "success")
            return render_template(
                "account/two_factor.html",
                user=user,
                form=CodeForm(formdata=None),
                codes=codes,
                remaining=len(codes),
                next_url=target,
            )
    uri = twofactor.provisioning_uri(user, user.totp_secret)
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "account/two_factor_setup.html",
            form=form,
            secret=user.totp_secret,
            qr_svg=twofactor.qr_svg(uri),
            admin_required=user.is_admin,
        ),
        status,
    )


@bp.post("/2fa/recovery-codes")
def two_factor_new_codes():
    user = _user()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.regenerate_recovery_codes(user, form.code.data)
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            flash(_("New recovery codes are ready; the old ones no longer work."), "success")
            return render_template(
                "account/two_factor.html",
                user=user,
                form=CodeForm(formdata=None),
                codes=codes,
                remaining=len(codes),
            )
    return redirect(url_for("account.two_factor"), code=303)


@bp.post("/2fa/disable")
def two_factor_disable():
    user = _user()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            twofactor.disable(user, form.code.data)
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            session.pop(MFA_SESSION_KEY, None)
            flash(_("The second factor is off."), "success")
    return redirect(url_for("account.two_factor"), code=303)


# ------------------------------------------------------------------ personal data


@bp.get("/export")
def export():
    """Only ever the signed-in person's own data: there is no id to change in the URL."""
    data = privacy.export(_user())
    data["exported_at"] = utcnow().isoformat()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="ocop-market-my-data.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/delete", methods=["GET", "POST"])
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            privacy.delete_account(_user(), form.password.data)
        except DomainError as error:
            db.session.rollback()
            form.password.errors.append(error.message)
        else:
            logout_user()
            session.clear()
            flash(_("Your account is deleted. Your orders are kept for accounting."), "success")
            return redirect(url_for("catalogue.home"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("account/delete.html", form=form), status
