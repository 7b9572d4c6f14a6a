"""The producer's bank account: owners ask for a change; it applies once an admin approves."""

from flask import g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.uow import done, show_in_form
from ...errors import DomainError
from ...extensions import db
from ...producers import bank_details
from ...producers.banks import bank_name
from ...producers.models import MemberRole
from ..forms import BankAccountForm
from . import bp, producer_view


@bp.route("/dashboard/bank", methods=["GET", "POST"])
@producer_view
def bank_account():
    producer = g.producer
    is_owner = g.membership.role is MemberRole.OWNER
    form = BankAccountForm()
    if is_owner and form.validate_on_submit():
        try:
            bank_details.request_change(
                db.session,
                producer,
                current_user.id,
                form.bank_bin.data,
                form.account.data,
                form.holder.data,
            )
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(
                _(
                    "Thank you. The new account is used for payouts once an administrator "
                    "approves it."
                ),
                url_for("dashboard.bank_account"),
            )
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "dashboard/bank.html",
            form=form,
            can_edit=is_owner,
            bank_name=bank_name,
        ),
        status,
    )
