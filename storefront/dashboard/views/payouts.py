"""Payouts: the producer's statement for a period, and each payout's entries."""

from datetime import date, timedelta

from flask import flash, g, render_template, request
from flask_babel import gettext as _

from ...clock import add_months, today_vn
from ...extensions import db
from ...producers.statements import statement
from .. import queries
from . import bp, producer_view


def _period_from_args() -> tuple[date, date, bool]:
    today = today_vn()
    default_start = today.replace(day=1)
    try:
        start = date.fromisoformat(request.args.get("start") or default_start.isoformat())
        end = date.fromisoformat(request.args.get("end") or today.isoformat())
    except ValueError:
        return default_start, today, False
    if end < start or (end - start).days > 366:
        return default_start, today, False
    return start, end, True


@bp.get("/dashboard/payouts")
@producer_view
def payouts():
    start, end, valid = _period_from_args()
    if not valid:
        flash(_("That period is not valid; showing this month instead."), "warning")
    today = today_vn()
    last_month_start = add_months(today.replace(day=1), -1)
    presets = [
        (_("This month"), today.replace(day=1), today),
        (_("Last month"), last_month_start, today.replace(day=1) - timedelta(days=1)),
        (_("Last 90 days"), today - timedelta(days=89), today),
    ]
    return render_template(
        "dashboard/payouts.html",
        statement=statement(db.session, g.producer, start, end),
        payouts=queries.payouts(g.producer),
        presets=presets,
    )


@bp.get("/dashboard/payouts/<int:payout_id>")
@producer_view
def payout(payout_id: int):
    found = queries.get_own_payout_or_404(g.producer, payout_id)
    return render_template(
        "dashboard/payout.html",
        payout=found,
        entries=queries.payout_entries(g.producer, found),
    )
