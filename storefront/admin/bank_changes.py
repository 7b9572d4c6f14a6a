"""/admin/bank-changes: producers' bank account changes waiting for an administrator."""

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.decorators import admin_required
from ..core.uow import done
from ..extensions import db
from ..producers import bank_details
from ..producers.banks import bank_name
from ..producers.models import Producer
from .forms import ConfirmForm

bp = Blueprint("admin_bank", __name__, url_prefix="/admin/bank-changes")


@bp.before_request
@admin_required
def _admins_only():
    """Administrators who passed the second factor only."""


@bp.get("/")
def index():
    waiting = db.session.scalars(
        select(Producer)
        .where(Producer.pending_bank_account.is_not(None))
        .order_by(Producer.pending_bank_requested_at, Producer.id)
    ).all()
    return render_template(
        "admin/bank_changes.html",
        waiting=waiting,
        bank_name=bank_name,
        form=ConfirmForm(),
        admin_section="bank",
    )


def _producer(producer_id: int) -> Producer:
    producer = db.session.get(Producer, producer_id)
    if producer is None:
        abort(404)
    return producer


@bp.post("/<int:producer_id>/approve")
def approve(producer_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    producer = _producer(producer_id)
    bank_details.approve_change(db.session, producer, current_user.id)
    return done(
        _("The new bank account of %(name)s is approved.", name=producer.name),
        url_for("admin_bank.index"),
    )


@bp.post("/<int:producer_id>/reject")
def reject(producer_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    producer = _producer(producer_id)
    bank_details.reject_change(db.session, producer, current_user.id)
    return done(
        _("The bank account change of %(name)s is rejected.", name=producer.name),
        url_for("admin_bank.index"),
    )
