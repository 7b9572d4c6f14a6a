"""Buyers write and report reviews; the cooperative replies (dashboard); admins moderate."""

from flask import (
    Blueprint,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..auth.decorators import admin_required
from ..core.uow import done, show_in_form
from ..errors import DomainError, back_to
from ..extensions import db
from . import queries, services
from .forms import HideForm, ReportForm, ReviewForm
from .models import Review

bp = Blueprint("reviews", __name__)

SORT_LABELS = {
    "newest": _l("Newest"),
    "highest": _l("Highest rated"),
    "lowest": _l("Lowest rated"),
    "photos": _l("With photos"),
}


@bp.app_template_global("ld_reviews")
def ld_reviews(reviews) -> list[dict]:
    """schema.org Review objects for the product's JSON-LD."""
    return [
        {
            "@type": "Review",
            "author": {"@type": "Person", "name": review.author_name},
            "datePublished": review.created_at.date().isoformat(),
            "reviewBody": review.body,
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": review.stars,
                "bestRating": 5,
                "worstRating": 1,
            },
        }
        for review in reviews
    ]


@bp.app_template_filter("rating_number")
def rating_number(value: float | None) -> str:
    """4.5 -> "4,5" in Vietnamese, "4.5" in English (one decimal, like the API)."""
    if value is None:
        return ""
    text = f"{value:.1f}"
    return text.replace(".", ",") if str(get_locale()) == "vi" else text


@bp.app_context_processor
def _review_sort_labels():
    return {"review_sort_labels": SORT_LABELS}


def _photos_from_request() -> list[bytes]:
    return [f.read() for f in request.files.getlist("photos") if f and f.filename]


@bp.route("/reviews/new/<int:line_id>", methods=["GET", "POST"])
@login_required
def new(line_id: int):
    # 403 for anyone but the buyer of a delivered, not yet reviewed line: the form is absent
    # and a direct POST is refused the same way.
    line = services.reviewable_line(db.session, current_user.id, line_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            services.post_review(
                db.session,
                line,
                current_user,
                int(form.stars.data),
                form.body.data,
                _photos_from_request(),
                services.ReviewSettings.from_config(current_app.config),
            )
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(
                _("Thank you! Your review is published."),
                url_for("catalogue.product", slug=line.product_slug, _anchor="reviews"),
            )
    status = 422 if request.method == "POST" else 200
    return render_template("reviews/new.html", form=form, line=line), status


@bp.post("/reviews/<int:review_id>/report")
@login_required
def report(review_id: int):
    review = db.session.get(Review, review_id)
    if review is None or not review.is_published:
        abort(404)
    target = back_to(
        url_for("catalogue.product", slug=review.product.slug, _anchor=f"review-{review.id}")
    )
    form = ReportForm()
    if not form.validate_on_submit():
        raise services.ValidationFailed(_("Write at most %(n)d characters.", n=500))
    services.report(db.session, review, current_user.id, form.reason.data)
    return done(_("Thank you. An admin will look at this review."), target)


# ------------------------------------------------------------------ admin moderation

admin_bp = Blueprint("admin_reviews", __name__, url_prefix="/admin/reviews")


@admin_bp.before_request
@admin_required
def _admins_only():
    """Every /admin/reviews URL is for administrators who passed the second factor."""


MODERATION_VIEWS = ("reported", "hidden", "all")


@admin_bp.get("/")
def index():
    show = request.args.get("show")
    show = show if show in MODERATION_VIEWS else "reported"
    return render_template(
        "reviews/admin.html",
        reviews=queries.reviews_for_moderation(show),
        show=show,
        hide_form=HideForm(),
        admin_section="reviews",
    )


@admin_bp.post("/<int:review_id>/hide")
def hide(review_id: int):
    review = db.session.get(Review, review_id)
    if review is None:
        abort(404)
    target = back_to(url_for("admin_reviews.index"))
    form = HideForm()
    if not form.validate_on_submit():
        raise services.ValidationFailed(_("Give the reason for hiding this review."))
    services.hide(db.session, review, form.reason.data, current_user.id)
    return done(_("The review is hidden."), target)


@admin_bp.post("/<int:review_id>/restore")
def restore(review_id: int):
    review = db.session.get(Review, review_id)
    if review is None:
        abort(404)
    target = back_to(url_for("admin_reviews.index", show="hidden"))
    # CSRFProtect checked the token before this view ran.
    services.restore(db.session, review, current_user.id)
    return done(_("The review is shown again."), target)
