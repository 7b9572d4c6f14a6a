"""The cooperative reads its products' reviews and answers each once, publicly."""

from flask import abort, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.uow import done, show_in_form
from ...errors import DomainError
from ...extensions import db
from ...reviews import queries, services
from ...reviews.forms import ReplyForm
from ...reviews.models import Review
from . import bp, producer_view


def _own_review(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None or review.producer_id != g.producer.id:
        abort(404)
    return review


@bp.get("/dashboard/reviews")
@producer_view
def reviews():
    return render_template(
        "dashboard/reviews.html",
        reviews=queries.producer_reviews(g.producer.id),
        reply_form=ReplyForm(),
        active="reviews",
    )


@bp.post("/dashboard/reviews/<int:review_id>/reply")
@producer_view
def reply(review_id: int):
    review = _own_review(review_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            services.reply(db.session, review, g.producer.id, form.reply.data, current_user.id)
        except DomainError as error:
            show_in_form(form, error, "reply")
        else:
            target = url_for("dashboard.reviews")
            return done(_("Your reply is published under the review."), target)
    return (
        render_template(
            "dashboard/reviews.html",
            reviews=queries.producer_reviews(g.producer.id),
            reply_form=ReplyForm(formdata=None),
            failed_form=form,
            failed_id=review.id,
            active="reviews",
        ),
        422 if request.method == "POST" else 200,
    )
