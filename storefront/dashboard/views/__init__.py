"""The producer dashboard's views, one module per area; this module holds the blueprint and
what every area shares: access, the page context, the form-error and CSV helpers.

The current producer is resolved on every request from the member's own memberships (the
id kept in the session is only a preference), and every object in a URL is loaded through
a `get_own_*_or_404(producer, id)` helper. Views call one service and return; the request
commits once (core.uow) and a refused action is shown by the app's DomainError handler.
"""

import csv
import io
from functools import wraps

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.decorators import producer_required
from ...catalogue import ocop
from ...catalogue.models import CertificateStatus, ProductStatus
from ...orders.models import SubOrderStatus
from ...producers.models import MemberRole
from ...storage import media_url
from .. import queries

bp = Blueprint("dashboard", __name__)

SESSION_KEY = "dashboard_producer_id"
PER_PAGE = 20
SUBGROUP_LABELS = {code: label for subs in ocop.SUBGROUPS.values() for code, label in subs.items()}


def producer_view(view):
    """Producer role and membership (else 403), then the current producer in g."""

    @wraps(view)
    @producer_required
    def wrapped(*args, **kwargs):
        membership = queries.resolve_membership(current_user.id, session.get(SESSION_KEY))
        if membership is None:
            abort(403)
        g.membership = membership
        g.producer = membership.producer
        return view(*args, **kwargs)

    return wrapped


@bp.app_template_global()
def dashboard_image_url(filename: str | None) -> str:
    return media_url(filename)


@bp.context_processor
def dashboard_context():
    producer = g.get("producer")
    if producer is None:
        return {}
    return {
        "producer": producer,
        "membership": g.membership,
        "is_owner": g.membership.role is MemberRole.OWNER,
        "memberships": queries.memberships_of(current_user.id),
        "SubOrderStatus": SubOrderStatus,
        "ProductStatus": ProductStatus,
        "CertificateStatus": CertificateStatus,
        "groups": ocop.GROUPS,
        "subgroups": SUBGROUP_LABELS,
    }


@bp.errorhandler(413)
def too_large(error):
    message = _(
        "This file is larger than %(mb)d MB, so nothing was saved. Choose a smaller photo "
        "(or resize it on your phone) and try again.",
        mb=max_upload_mb(),
    )
    return render_template("errors/413.html", message=message), 413


def see_other(endpoint: str, **values):
    return redirect(url_for(endpoint, **values), code=303)


def max_pixels() -> int:
    return current_app.config["UPLOAD_MAX_PIXELS"]


def max_upload_mb() -> int:
    return (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)


def page_number() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def form_status() -> int:
    """A form page: 200 when first shown, 422 when it comes back with errors."""
    return 422 if request.method == "POST" else 200


def _csv_cell(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas; neutralise buyer-typed text."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r" and not text.lstrip("-").isdigit():
        return "'" + text
    return text


def csv_response(rows: list[list], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    # The BOM makes Excel read the Vietnamese text as UTF-8.
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
