"""The cooperative's side of returns: accept with instructions, refuse with a reason, mark
the goods received (and restocked). Thin views over orders.returns."""

from flask import abort, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.uow import done
from ...errors import back_to
from ...extensions import db
from ...orders import returns
from ...orders.forms import ActionForm
from ...orders.models import ReturnRequest
from ...orders.routes import send_return_photo
from . import bp, producer_view

MESSAGES = {
    "accept": lambda: _("Return accepted. The buyer has your instructions."),
    "refuse": lambda: _("Return refused. The buyer was told why."),
    "receive": lambda: _("Marked as received. The refund follows."),
}


def _own_return(return_id: int) -> ReturnRequest:
    ret = db.session.get(ReturnRequest, return_id)
    if ret is None or ret.producer_order.producer_id != g.producer.id:
        abort(404)
    return ret


@bp.post("/dashboard/returns/<int:return_id>/<any(accept,refuse,receive):action>")
@producer_view
def return_action(return_id: int, action: str):
    ret = _own_return(return_id)
    target = back_to(
        url_for("dashboard.order", sub_order_id=ret.producer_order_id, _anchor="returns")
    )
    if not ActionForm().validate_on_submit():
        abort(400)
    text = request.form.get("text", "")
    if action == "accept":
        returns.accept(db.session, ret, text, current_user.id)
    elif action == "refuse":
        returns.refuse(db.session, ret, text, current_user.id)
    else:
        returns.receive(db.session, ret, request.form.get("restock") == "1", current_user.id)
    return done(MESSAGES[action](), target)


@bp.get("/dashboard/returns/<int:return_id>/photos/<int:photo_id>")
@producer_view
def return_photo(return_id: int, photo_id: int):
    ret = _own_return(return_id)
    photo = next((p for p in ret.photos if p.id == photo_id), None)
    if photo is None:
        abort(404)
    return send_return_photo(photo, thumb=request.args.get("size") == "thumb")
