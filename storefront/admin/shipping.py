"""/admin/shipping/cod: import a carrier's COD remittance report and see what matched.
The rules live in shipping/cod.py; every import is in the audit log."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from ..auth.decorators import admin_required
from ..core.forms import Form
from ..core.uow import done, show_in_form
from ..errors import DomainError
from ..extensions import db
from ..shipping import cod
from ..shipping.carriers import CARRIER_LABELS
from ..shipping.models import CodImport

bp = Blueprint("admin_shipping", __name__, url_prefix="/admin/shipping")


class CodImportForm(Form):
    carrier = SelectField(
        _l("Carrier"), choices=[SelectChoice(c, CARRIER_LABELS[c]) for c in cod.COD_CARRIERS]
    )
    report = FileField(_l("Remittance report (CSV)"), validators=[FileRequired()])


@bp.before_request
@admin_required
def _admins_only():
    """Administrators who passed the second factor only."""


def _page(form, status=200):
    imports = db.session.scalars(select(CodImport).order_by(CodImport.id.desc()).limit(50)).all()
    return (
        render_template(
            "admin/cod_imports.html",
            form=form,
            imports=imports,
            carrier_labels=CARRIER_LABELS,
            admin_section="cod",
        ),
        status,
    )


@bp.get("/cod")
def cod_imports():
    return _page(CodImportForm(formdata=None))


@bp.post("/cod")
def cod_import():
    form = CodImportForm()
    if form.validate_on_submit():
        upload = form.report.data
        try:
            result = cod.import_report(
                db.session,
                form.carrier.data,
                upload.filename or "",
                upload.read(cod.MAX_BYTES + 1),
                current_user.id,
            )
        except DomainError as error:
            show_in_form(form, error, "report")
        else:
            message = (
                _("This file was imported before; nothing changed.")
                if result.already_imported
                else _(
                    "Imported: %(matched)d matched, %(mismatched)d to check.",
                    matched=result.cod_import.matched,
                    mismatched=result.cod_import.mismatched,
                )
            )
            return done(
                message, url_for("admin_shipping.cod_detail", import_id=result.cod_import.id)
            )
    return _page(form, 422 if request.method == "POST" else 200)


@bp.get("/cod/<int:import_id>")
def cod_detail(import_id: int):
    report = db.session.get(CodImport, import_id)
    if report is None:
        abort(404)
    return render_template(
        "admin/cod_import.html",
        report=report,
        outcome_labels=cod.OUTCOME_LABELS,
        carrier_labels=CARRIER_LABELS,
        admin_section="cod",
    )
