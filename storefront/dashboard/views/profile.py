"""The producer's own profile and papers: owners edit the public profile and contact details,
add documents, and send the application back once the changes an admin asked for are made.
Every member may read them; documents are served only through here (never a media URL)."""

from flask import Response, abort, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ...core.downloads import private_download
from ...core.uow import done, show_in_form
from ...errors import DomainError
from ...extensions import db
from ...producers import applications
from ...producers.models import MemberRole, ProducerDocument
from ...storage import storage
from ..forms import DocumentForm, ProducerPhotoForm, ProfileForm
from . import bp, max_pixels, producer_view


def _owner_only() -> None:
    if g.membership.role is not MemberRole.OWNER:
        abort(403)


def _profile_page(form=None, document_form=None, status: int = 200, photo_form=None):
    producer = g.producer
    return (
        render_template(
            "dashboard/profile.html",
            form=form or ProfileForm.for_producer(producer),
            document_form=document_form or DocumentForm(formdata=None),
            photo_form=photo_form or ProducerPhotoForm(formdata=None),
            documents=producer.documents,
            active="overview",
        ),
        status,
    )


@bp.route("/dashboard/profile", methods=["GET", "POST"])
@producer_view
def profile():
    if request.method in ("GET", "HEAD") or "refresh_wards" in request.form:
        form = ProfileForm.for_producer(g.producer, formdata=request.form or None)
        return _profile_page(form)
    _owner_only()
    form = ProfileForm.for_producer(g.producer, formdata=request.form)
    if form.validate_on_submit():
        try:
            changed = applications.update_profile(
                db.session, g.producer, form.to_input(), current_user.id
            )
        except DomainError as error:
            show_in_form(form, error)
        else:
            message = _("Your profile is saved.") if changed else _("Nothing changed.")
            return done(message, url_for("dashboard.profile"))
    return _profile_page(form, status=422)


@bp.post("/dashboard/profile/documents")
@producer_view
def document_add():
    _owner_only()
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            applications.add_document(
                db.session, g.producer, form.upload(), storage(), max_pixels(), current_user.id
            )
        except DomainError as error:
            show_in_form(form, error, field="document")
        else:
            return done(_("The document is added."), url_for("dashboard.profile"))
    return _profile_page(document_form=form, status=422)


@bp.post("/dashboard/profile/photo")
@producer_view
def photo_set():
    _owner_only()
    form = ProducerPhotoForm()
    if form.validate_on_submit():
        try:
            applications.set_photo(
                db.session,
                g.producer,
                form.photo.data.read(),
                storage(),
                max_pixels(),
                current_user.id,
            )
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(_("The photo is on your public page."), url_for("dashboard.profile"))
    return _profile_page(photo_form=form, status=422)


@bp.get("/dashboard/profile/documents/<int:document_id>")
@producer_view
def document_file(document_id: int):
    document = db.session.scalar(
        select(ProducerDocument).where(
            ProducerDocument.id == document_id, ProducerDocument.producer_id == g.producer.id
        )
    )
    if document is None:
        abort(404)
    return document_response(document)


@bp.post("/dashboard/application/resubmit")
@producer_view
def application_resubmit():
    _owner_only()
    applications.resubmit_application(db.session, g.producer, current_user.id)
    return done(
        _("Thank you. Your application is waiting for review again."),
        url_for("dashboard.profile"),
    )


def document_response(document: ProducerDocument) -> Response:
    extension = "pdf" if document.content_type == "application/pdf" else "jpg"
    return private_download(
        storage().read(document.filename),
        document.content_type,
        f"document-{document.id}.{extension}",
    )
