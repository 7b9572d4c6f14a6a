"""/admin/pages: administrators keep the policy pages (Markdown, rendered safely)."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..auth.decorators import admin_required
from ..core.uow import done, show_in_form
from ..errors import DomainError, NotFound
from ..extensions import db
from ..pages import services
from ..pages.content import KINDS
from ..pages.markdown import render

bp = Blueprint("admin_pages", __name__, url_prefix="/admin/pages")


@bp.before_request
@admin_required
def _admins_only():
    """Every /admin/pages URL is for administrators who passed the second factor."""


class PolicyPageForm(FlaskForm):
    title_vi = StringField(_l("Title (Vietnamese)"), validators=[DataRequired(), Length(max=120)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=120)])
    body_vi = TextAreaField(
        _l("Text (Vietnamese, Markdown)"),
        validators=[DataRequired(), Length(max=services.MAX_BODY)],
        description=_l(
            "Markdown: ## for a heading, - for a list, [text](https://…) for a link. "
            "HTML is shown as text."
        ),
    )
    body_en = TextAreaField(
        _l("Text (English, Markdown)"), validators=[Length(max=services.MAX_BODY)]
    )


@bp.get("/")
def index():
    return render_template("admin/pages.html", kinds=KINDS, admin_section="pages")


@bp.route("/<slug>", methods=["GET", "POST"])
def edit(slug: str):
    try:
        page = services.get_for_edit(db.session, slug)
    except NotFound:
        abort(404)
    form = PolicyPageForm(obj=page if request.method in ("GET", "HEAD") else None)
    if form.validate_on_submit():
        try:
            services.save(
                db.session,
                slug,
                current_user.id,
                title_vi=form.title_vi.data,
                title_en=form.title_en.data or "",
                body_vi=form.body_vi.data,
                body_en=form.body_en.data or "",
            )
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(_("The page is saved."), url_for("admin_pages.edit", slug=slug))
    status = 422 if request.method == "POST" else 200
    preview = render(form.body_vi.data or "")
    return (
        render_template(
            "admin/page_edit.html", form=form, slug=slug, preview=preview, admin_section="pages"
        ),
        status,
    )
