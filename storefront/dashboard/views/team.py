"""The team: invitations, members, and accepting an invitation."""

from flask import abort, g, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...clock import utcnow
from ...core.uow import done, show_in_form
from ...errors import ValidationFailed, back_to
from ...extensions import db
from ...producers.team import (
    accept_invitation,
    find_open_invitation,
    invite_member,
    remove_member,
    revoke_invitation,
)
from .. import queries
from ..forms import InviteForm
from . import SESSION_KEY, bp, producer_view


def _team_page(form=None, status=200):
    return (
        render_template(
            "dashboard/team.html",
            form=form or InviteForm(formdata=None),
            members=queries.members(g.producer),
            invitations=queries.open_invitations(g.producer),
        ),
        status,
    )


@bp.get("/dashboard/team")
@producer_view
def team():
    return _team_page()


@bp.post("/dashboard/team/invite")
@producer_view
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invite_member(db.session, g.producer, g.membership, form.email.data, str(get_locale()))
        except ValidationFailed as error:  # not an owner: the app's handler answers 403
            show_in_form(form, error)
        else:
            return done(
                _("Invitation sent to %(email)s.", email=form.email.data.strip()),
                url_for("dashboard.team"),
            )
    return _team_page(form, 422)


@bp.post("/dashboard/team/invitations/<int:invitation_id>/revoke")
@producer_view
def invitation_revoke(invitation_id: int):
    invitation = queries.get_own_invitation_or_404(g.producer, invitation_id)
    revoke_invitation(db.session, g.producer, g.membership, invitation)
    return done(_("Invitation withdrawn."), url_for("dashboard.team"))


@bp.post("/dashboard/team/members/<int:member_id>/remove")
@producer_view
def member_remove(member_id: int):
    member = queries.get_own_member_or_404(g.producer, member_id)
    back = back_to(url_for("dashboard.team"))
    remove_member(db.session, g.producer, g.membership, member)
    return done(_("Member removed."), back)


@bp.route("/dashboard/invitations/<token>", methods=["GET", "POST"])
@login_required
def invitation_accept(token: str):
    if request.method in ("GET", "HEAD"):
        invitation = find_open_invitation(db.session, token, utcnow())
        if invitation is None:
            abort(404, description=_("This invitation has expired or was already used."))
        if invitation.email.lower() != current_user.email.lower():
            abort(
                403,
                description=_(
                    "This invitation was sent to another email address. Log in with that address."
                ),
            )
        return render_template("dashboard/invitation.html", invitation=invitation, token=token)
    # An expired token is a 404 and another address a 403 (the app's DomainError handler).
    membership = accept_invitation(db.session, current_user, token, utcnow())
    session[SESSION_KEY] = membership.producer_id
    return done(
        _("Welcome to %(name)s.", name=membership.producer.name), url_for("dashboard.index")
    )
