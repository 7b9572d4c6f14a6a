"""The dashboard's home, switching producer, and applying to become one."""

from datetime import timedelta

from flask import abort, flash, g, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...auth.decorators import producer_required
from ...clock import today_vn
from ...core.uow import done, show_in_form
from ...core.validators import parse_id
from ...errors import DomainError
from ...extensions import db
from ...producers import ledger
from ...producers.lifecycle import apply_for_producer
from ...storage import storage
from .. import charts, queries
from ..forms import ApplyForm
from . import SESSION_KEY, bp, max_pixels, producer_view, see_other

CHART_DAYS = (30, 90)


@bp.get("/dashboard")
@producer_view
def index():
    producer = g.producer
    days = request.args.get("days", 30, type=int)
    days = days if days in CHART_DAYS else 30
    today = today_vn()
    to_confirm_count, to_confirm = queries.sub_orders_to_confirm(producer)
    month_revenue, month_units = queries.sales_between(producer, today.replace(day=1), today)
    points = queries.daily_sales(producer, today - timedelta(days=days - 1), today)
    chart = charts.sales_chart(
        points,
        title=_("Sales over the last %(n)d days", n=days),
        revenue_label=_("Bars: revenue per day (đồng)"),
        units_label=_("Line: units sold per day"),
        locale=str(get_locale()),
    )
    return render_template(
        "dashboard/index.html",
        to_confirm=to_confirm,
        to_confirm_count=to_confirm_count,
        low_stock=queries.low_stock_products(producer, limit=6),
        month_revenue=month_revenue,
        month_units=month_units,
        balance=ledger.balance(db.session, producer.id),
        chart=chart,
        points=points,
        days=days,
        chart_days=CHART_DAYS,
    )


@bp.post("/dashboard/switch")
@producer_required
def switch():
    wanted = request.form.get("producer_id", type=parse_id)
    membership = queries.resolve_membership(current_user.id, wanted)
    if membership is None or membership.producer_id != wanted:
        abort(404)
    session[SESSION_KEY] = membership.producer_id
    flash(_("You are now working for %(name)s.", name=membership.producer.name), "success")
    return see_other("dashboard.index")


@bp.route("/dashboard/apply", methods=["GET", "POST"])
@login_required
def apply():
    form = ApplyForm()
    # Without JavaScript, "Show wards" re-renders the form with the chosen province's wards.
    if request.method == "POST" and "refresh_wards" not in request.form:
        if form.validate_on_submit():
            try:
                producer = apply_for_producer(
                    db.session,
                    current_user,
                    form.to_input(),
                    form.uploads(),
                    storage(),
                    max_pixels(),
                )
            except DomainError as error:
                show_in_form(form, error)
            else:
                session[SESSION_KEY] = producer.id
                return done(
                    _(
                        "Thank you. %(name)s is waiting for approval; meanwhile you can "
                        "prepare draft products.",
                        name=producer.name,
                    ),
                    url_for("dashboard.index"),
                )
        return render_template("dashboard/apply.html", form=form), 422
    return render_template("dashboard/apply.html", form=form)
