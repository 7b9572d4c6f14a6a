"""/admin: admins keep the marketplace trustworthy. Thin views over the domains' services
(catalogue, producers, orders, auth) and this package's read queries."""

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.decorators import admin_required
from ..auth.models import User, UserRole
from ..auth.users import promote_to_admin, set_user_active
from ..catalogue.certificates import EXPIRY_WINDOW_DAYS, reject_certificate, verify_certificate
from ..catalogue.featuring import (
    feature_product,
    move_featured,
    unfeature_lapsed,
    unfeature_product,
)
from ..catalogue.models import Certificate, Product
from ..catalogue.ocop import GROUPS
from ..clock import today_vn
from ..core.uow import done, show_in_form
from ..dashboard.views.profile import document_response
from ..errors import DomainError, back_to
from ..extensions import db
from ..money import format_vnd
from ..orders import returns
from ..orders.actions import (
    cancel_sub_order,
    confirm_transfer,
    refund_sub_order,
    resend_order_emails,
)
from ..orders.labels import order_event_label
from ..orders.models import (
    Order,
    PaymentMethod,
    PaymentStatus,
    ProducerOrder,
    ReturnRequest,
    SubOrderStatus,
)
from ..orders.refunds import refundable_amount
from ..orders.routes import send_return_photo
from ..orders.routing import can_move
from ..producers import applications, ledger, statements
from ..producers.banks import bank_name
from ..producers.lifecycle import (
    PRODUCER_TRANSITIONS,
    set_producer_status,
    update_producer,
)
from ..producers.models import Producer, ProducerDocument, ProducerStatus
from ..producers.payouts import record_payout
from ..storage import StorageUnavailable, storage
from . import audit_view, queries
from .forms import (
    ApplicationAnswerForm,
    CancelSubOrderForm,
    ConfirmForm,
    MoveForm,
    PayoutForm,
    ProducerEditForm,
    ProducerStatusForm,
    ProductIdForm,
    RejectCertificateForm,
    ResendForm,
    ReturnRefundForm,
    StatementForm,
    UserActiveForm,
    refund_form_for,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")

OVERVIEW_PERIODS = (7, 30, 90, 365)
CERTIFICATE_TABS = ("pending", "expiring", "expired")


@bp.before_request
@admin_required
def _admins_only():
    """Every /admin URL: anonymous users go to the login page, everyone else but admins 403."""


@bp.context_processor
def _admin_globals():
    return {
        "group_labels": GROUPS,
        "order_event_label": order_event_label,
    }


@bp.record_once
def _audit_helpers(state):
    # Globals, not context: the audit macros are imported, and imported macros see only globals.
    state.app.jinja_env.globals.update(audit_view.TEMPLATE_HELPERS)


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int))


def _invalid_form(form, target: str):
    """A one-button form that failed to validate (a missing hidden field): say so, go back."""
    messages = [str(m) for errors in form.errors.values() for m in errors]
    flash(" ".join(messages) or _("Please check the values you entered."), "error")
    return redirect(target, code=303)


# --- overview --------------------------------------------------------------------------------


@bp.get("/")
def index():
    days = request.args.get("days", 30, type=int)
    if days not in OVERVIEW_PERIODS:
        days = 30
    today = today_vn()
    overview = queries.overview(db.session, today - timedelta(days=days - 1), today)
    attention = queries.attention_counts(db.session, today, EXPIRY_WINDOW_DAYS)
    return render_template(
        "admin/index.html",
        overview=overview,
        attention=attention,
        days=days,
        periods=OVERVIEW_PERIODS,
    )


@bp.get("/audit")
def audit_log():
    object_type = request.args.get("type", "")[:40]
    action = request.args.get("action", "")[:60]
    page = queries.audit_page(db.session, object_type, action, _page())
    types, actions = queries.audit_facets(db.session)
    return render_template(
        "admin/audit.html",
        page=page,
        types=types,
        actions=actions,
        object_type=object_type,
        action=action,
        objects=audit_view.object_refs(db.session, page.items),
    )


# --- producers -------------------------------------------------------------------------------


@bp.get("/producers")
def producers():
    raw_status = request.args.get("status", "")
    status = next((s for s in ProducerStatus if s.value == raw_status), None)
    q = request.args.get("q", "")[:100]
    page = queries.producers_page(db.session, status, q, _page())
    return render_template(
        "admin/producers.html",
        page=page,
        status=status,
        q=q,
        counts=queries.producer_status_counts(db.session),
        statuses=list(ProducerStatus),
    )


def _producer_page(producer: Producer, status_form=None, code: int = 200, answer_form=None):
    return (
        render_template(
            "admin/producer_detail.html",
            producer=producer,
            answer_form=answer_form or ApplicationAnswerForm(formdata=None),
            documents=producer.documents,
            bank_name=bank_name,
            members=queries.producer_members(db.session, producer),
            products=queries.producer_products(db.session, producer),
            balance=ledger.balance(db.session, producer.id),
            default_rate_bp=current_app.config["COMMISSION_RATE_BP"],
            transitions=PRODUCER_TRANSITIONS[producer.status],
            status_form=status_form or ProducerStatusForm(),
            history=queries.audit_for(db.session, "producer", producer.id),
            today=today_vn(),
        ),
        code,
    )


@bp.get("/producers/<int:producer_id>")
def producer_detail(producer_id: int):
    return _producer_page(db.get_or_404(Producer, producer_id))


@bp.post("/producers/<int:producer_id>/status")
def producer_status(producer_id: int):
    producer = db.get_or_404(Producer, producer_id)
    form = ProducerStatusForm()
    target = back_to(url_for(".producer_detail", producer_id=producer.id))
    if not form.validate():
        return _producer_page(producer, form, 422)
    status = ProducerStatus(form.status.data)
    try:
        set_producer_status(db.session, producer, status, current_user.id, form.reason.data or "")
    except DomainError as error:
        show_in_form(form, error, "reason")
        return _producer_page(producer, form, 422)
    message = (
        _("%(name)s is approved: its active products are on sale.", name=producer.name)
        if status is ProducerStatus.APPROVED
        else _("%(name)s is suspended: its products are hidden.", name=producer.name)
    )
    return done(message, target)


@bp.post("/producers/<int:producer_id>/application")
def producer_application_answer(producer_id: int):
    """Send an application back for changes, or turn it down; the applicant is told why."""
    producer = db.get_or_404(Producer, producer_id)
    form = ApplicationAnswerForm()
    if not form.validate():
        return _producer_page(producer, code=422, answer_form=form)
    if form.answer.data == "changes":
        applications.request_changes(db.session, producer, current_user.id, form.note.data)
        message = _("%(name)s is asked for changes; the applicant is told why.", name=producer.name)
    else:
        applications.reject_application(db.session, producer, current_user.id, form.note.data)
        message = _("The application of %(name)s is turned down.", name=producer.name)
    return done(message, url_for(".producer_detail", producer_id=producer.id))


@bp.get("/producers/<int:producer_id>/documents/<int:document_id>")
def producer_document(producer_id: int, document_id: int):
    document = db.session.scalar(
        select(ProducerDocument).where(
            ProducerDocument.id == document_id, ProducerDocument.producer_id == producer_id
        )
    )
    if document is None:
        abort(404)
    return document_response(document)


@bp.route("/producers/<int:producer_id>/edit", methods=["GET", "POST"])
def producer_edit(producer_id: int):
    producer = db.get_or_404(Producer, producer_id)
    form = ProducerEditForm.for_producer(producer, formdata=request.form or None)
    if form.validate_on_submit():
        try:
            update_producer(db.session, producer, form.changes(), current_user.id)
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(
                _("Saved %(name)s.", name=producer.name),
                url_for(".producer_detail", producer_id=producer.id),
            )
    code = 422 if request.method == "POST" else 200
    return render_template(
        "admin/producer_edit.html",
        producer=producer,
        form=form,
        default_rate_bp=current_app.config["COMMISSION_RATE_BP"],
    ), code


# --- certificates ----------------------------------------------------------------------------


@bp.get("/certificates")
def certificates():
    tab = request.args.get("tab", "pending")
    if tab not in CERTIFICATE_TABS:
        tab = "pending"
    today, days = today_vn(), EXPIRY_WINDOW_DAYS
    context = {"tab": tab, "today": today, "days": days}
    if tab == "pending":
        context["certificates"] = queries.pending_certificates(db.session)
    elif tab == "expiring":
        context["certificates"] = queries.expiring_certificates(db.session, today, days)
    else:
        page = queries.expired_certificates(db.session, today, _page())
        context.update(certificates=page.items, page=page)
    context["counts"] = queries.certificate_counts(db.session, today, days)
    return render_template("admin/certificates.html", **context)


def _certificate_page(certificate: Certificate, reject_form=None, code: int = 200):
    return (
        render_template(
            "admin/certificate_detail.html",
            certificate=certificate,
            product=certificate.product,
            reject_form=reject_form or RejectCertificateForm(),
            confirm_form=ConfirmForm(),
            history=queries.audit_for(db.session, "certificate", certificate.id),
            today=today_vn(),
        ),
        code,
    )


@bp.get("/certificates/<int:certificate_id>")
def certificate_detail(certificate_id: int):
    return _certificate_page(db.get_or_404(Certificate, certificate_id))


@bp.get("/certificates/<int:certificate_id>/scan")
def certificate_scan(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    if not certificate.scan_filename:
        abort(404)
    try:
        data = storage().read(certificate.scan_filename)
    except StorageUnavailable:
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/certificates/<int:certificate_id>/verify")
def certificate_verify(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    back_to(url_for(".certificate_detail", certificate_id=certificate.id))
    verify_certificate(db.session, certificate, current_user.id)
    return done(
        _("Certificate %(number)s is verified.", number=certificate.number),
        url_for(".certificates", tab="pending"),
    )


@bp.post("/certificates/<int:certificate_id>/reject")
def certificate_reject(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    form = RejectCertificateForm()
    if not form.validate():
        return _certificate_page(certificate, form, 422)
    try:
        reject_certificate(db.session, certificate, current_user.id, form.reason.data, today_vn())
    except DomainError as error:
        show_in_form(form, error, "reason")
        return _certificate_page(certificate, form, 422)
    return done(
        _(
            "Certificate %(number)s is rejected; the producer is told why.",
            number=certificate.number,
        ),
        url_for(".certificates", tab="pending"),
    )


# --- featuring -------------------------------------------------------------------------------


@bp.get("/featured")
def featured():
    today = today_vn()
    group = request.args.get("group", "")
    if group not in GROUPS:
        group = ""
    q = request.args.get("q", "")[:100]
    return render_template(
        "admin/featured.html",
        groups=queries.featured_groups(db.session, today),
        candidates=queries.feature_candidates(db.session, today, group, q),
        group=group,
        q=q,
        today=today,
    )


@bp.post("/featured")
def featured_add():
    form = ProductIdForm()
    target = back_to(url_for(".featured"))
    if not form.validate():
        return _invalid_form(form, target)
    product = db.get_or_404(Product, form.product_id.data)
    feature_product(db.session, product, current_user.id, today_vn())
    return done(_("%(name)s is featured.", name=product.name), target)


@bp.post("/featured/<int:product_id>/remove")
def featured_remove(product_id: int):
    product = db.get_or_404(Product, product_id)
    target = back_to(url_for(".featured"))
    unfeature_product(db.session, product, current_user.id)
    return done(_("%(name)s is no longer featured.", name=product.name), target)


@bp.post("/featured/<int:product_id>/move")
def featured_move(product_id: int):
    product = db.get_or_404(Product, product_id)
    form = MoveForm()
    target = back_to(url_for(".featured") + f"#group-{product.group}")
    if not form.validate():
        return _invalid_form(form, target)
    move_featured(db.session, product, form.direction.data, current_user.id)
    return done(_("Order saved."), target)


@bp.post("/featured/unfeature-lapsed")
def featured_sweep():
    lapsed = unfeature_lapsed(db.session, today_vn(), current_user.id)
    return done(
        _("%(n)d products no longer meet the rule and were unfeatured.", n=len(lapsed)),
        url_for(".featured"),
    )


# --- orders ----------------------------------------------------------------------------------


@bp.get("/orders")
def orders():
    q = request.args.get("q", "")[:100]
    page = queries.search_orders(db.session, q, _page())
    if q and page.total == 1 and page.page == 1:
        return redirect(url_for(".order_detail", order_id=page.items[0].id))
    return render_template("admin/orders.html", page=page, q=q)


def _order_page(order: Order, forms: dict | None = None, code: int = 200):
    forms = forms or {}
    sub_forms = {}
    for sub_order in order.sub_orders:
        cancel_form = forms.get(("cancel", sub_order.id)) or CancelSubOrderForm(
            prefix=f"c{sub_order.id}", formdata=None
        )
        refund_form = forms.get(("refund", sub_order.id)) or refund_form_for(
            sub_order, formdata=None
        )
        sub_forms[sub_order.id] = (cancel_form, refund_form)
    return (
        render_template(
            "admin/order_detail.html",
            order=order,
            sub_forms=sub_forms,
            confirm_form=ConfirmForm(),
            resend_form=ResendForm(formdata=None),
            refunds=queries.order_refunds(db.session, order),
            history=queries.audit_for_order(db.session, order),
            can_cancel=lambda so: can_move(so, SubOrderStatus.CANCELLED),
            refundable=refundable_amount,
            awaiting_transfer=order.payment_method is PaymentMethod.BANK_TRANSFER
            and order.payment_status in (PaymentStatus.PENDING, PaymentStatus.EXPIRED),
        ),
        code,
    )


def _load_order(order_id: int) -> Order:
    order = queries.order_detail(db.session, order_id)
    if order is None:
        abort(404)
    return order


def _load_sub_order(order: Order, sub_order_id: int) -> ProducerOrder:
    sub_order = next((so for so in order.sub_orders if so.id == sub_order_id), None)
    if sub_order is None:
        abort(404)
    return sub_order


@bp.get("/orders/<int:order_id>")
def order_detail(order_id: int):
    return _order_page(_load_order(order_id))


@bp.post("/orders/<int:order_id>/confirm-transfer")
def order_confirm_transfer(order_id: int):
    order = _load_order(order_id)
    target = back_to(url_for(".order_detail", order_id=order.id))
    confirm_transfer(db.session, order, current_user.id)
    return done(_("Transfer confirmed: order %(number)s is paid.", number=order.number), target)


@bp.post("/orders/<int:order_id>/resend-emails")
def order_resend_emails(order_id: int):
    order = _load_order(order_id)
    form = ResendForm()
    target = back_to(url_for(".order_detail", order_id=order.id))
    if not form.validate():
        return _invalid_form(form, target)
    sent = resend_order_emails(db.session, order, form.audience.data, current_user.id)
    return done(_("%(n)d emails sent again.", n=sent), target)


@bp.post("/orders/<int:order_id>/sub-orders/<int:sub_order_id>/cancel")
def sub_order_cancel(order_id: int, sub_order_id: int):
    order = _load_order(order_id)
    sub_order = _load_sub_order(order, sub_order_id)
    form = CancelSubOrderForm(prefix=f"c{sub_order.id}")
    if not form.validate():
        return _order_page(order, {("cancel", sub_order.id): form}, 422)
    try:
        cancel_sub_order(db.session, sub_order, current_user.id, form.reason.data)
    except DomainError as error:
        show_in_form(form, error, "reason")
        return _order_page(_load_order(order_id), {("cancel", sub_order_id): form}, 422)
    return done(
        _("%(producer)s's part of the order is cancelled.", producer=sub_order.producer_name),
        url_for(".order_detail", order_id=order.id),
    )


@bp.post("/orders/<int:order_id>/sub-orders/<int:sub_order_id>/refund")
def sub_order_refund(order_id: int, sub_order_id: int):
    order = _load_order(order_id)
    sub_order = _load_sub_order(order, sub_order_id)
    form = refund_form_for(sub_order)
    if not form.validate():
        return _order_page(order, {("refund", sub_order.id): form}, 422)
    try:
        refund = refund_sub_order(
            db.session,
            sub_order,
            form.amount.data,
            form.reason.data,
            current_user.id,
            idempotency_key=form.idempotency_key.data,
            lines=form.line_quantities(),
            bank_reference=form.bank_reference.data,
            paid_on=form.paid_on.data,
        )
    except DomainError as error:
        show_in_form(form, error, "amount")
        return _order_page(_load_order(order_id), {("refund", sub_order_id): form}, 422)
    return done(
        _("Refunded %(amount)s to the buyer.", amount=format_vnd(refund.amount)),
        url_for(".order_detail", order_id=order.id),
    )


# --- payouts ---------------------------------------------------------------------------------


@bp.get("/payouts")
def payouts():
    q = request.args.get("q", "")[:100]
    return render_template(
        "admin/payouts.html", page=queries.producer_balances(db.session, q, _page()), q=q
    )


@bp.route("/payouts/<int:producer_id>", methods=["GET", "POST"])
def producer_payouts(producer_id: int):
    producer = db.get_or_404(Producer, producer_id)
    form = PayoutForm()
    if form.validate_on_submit():
        try:
            payout = record_payout(
                db.session, producer, form.amount.data, form.bank_reference.data, current_user.id
            )
        except DomainError as error:
            show_in_form(form, error, "bank_reference")
        else:
            return done(
                _(
                    "Payout of %(amount)s to %(name)s recorded.",
                    amount=format_vnd(payout.amount),
                    name=producer.name,
                ),
                url_for(".producer_payouts", producer_id=producer.id),
            )
    code = 422 if request.method == "POST" else 200
    return render_template(
        "admin/producer_payouts.html",
        producer=producer,
        form=form,
        balance=ledger.balance(db.session, producer.id),
        payouts=queries.payouts_of(db.session, producer),
        statement_form=StatementForm(formdata=None),
    ), code


@bp.get("/payouts/<int:producer_id>/statement")
def payout_statement(producer_id: int):
    producer = db.get_or_404(Producer, producer_id)
    form = StatementForm(request.args)
    today = today_vn()
    valid = form.validate()
    end = (form.end.data if valid else None) or today
    start = (form.start.data if valid else None) or end.replace(day=1)
    opening, entries, closing = queries.ledger_entries(db.session, producer, start, end)
    return render_template(
        "admin/statement.html",
        producer=producer,
        form=form,
        start=start,
        end=end,
        summary=statements.statement(db.session, producer, start, end),
        opening=opening,
        entries=entries,
        closing=closing,
    ), (200 if valid else 422)


# --- users -----------------------------------------------------------------------------------


@bp.get("/users")
def users():
    q = request.args.get("q", "")[:100]
    raw_role = request.args.get("role", "")
    role = next((r for r in UserRole if r.value == raw_role), None)
    return render_template(
        "admin/users.html",
        page=queries.search_users(db.session, q, role, _page()),
        q=q,
        role=role,
        roles=list(UserRole),
    )


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int):
    user = db.get_or_404(User, user_id)
    return render_template(
        "admin/user_detail.html",
        user=user,
        confirm_form=ConfirmForm(),
        history=queries.audit_for(db.session, "user", user.id),
    )


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserActiveForm()
    target = back_to(url_for(".user_detail", user_id=user.id))
    if not form.validate() or form.active.data not in ("0", "1"):
        return _invalid_form(form, target)
    active = form.active.data == "1"
    set_user_active(db.session, user, active, current_user.id)
    message = (
        _("%(email)s can log in again.", email=user.email)
        if active
        else _("%(email)s is disabled and logged out everywhere.", email=user.email)
    )
    return done(message, target)


@bp.post("/users/<int:user_id>/promote")
def user_promote(user_id: int):
    user = db.get_or_404(User, user_id)
    target = back_to(url_for(".user_detail", user_id=user.id))
    promote_to_admin(db.session, user, current_user.id)
    return done(_("%(email)s is now an admin.", email=user.email), target)


# --- returns ---------------------------------------------------------------------------------


def _load_return(return_id: int) -> ReturnRequest:
    ret = db.session.get(ReturnRequest, return_id)
    if ret is None:
        abort(404)
    return ret


def _return_target(ret: ReturnRequest) -> str:
    return back_to(url_for(".order_detail", order_id=ret.order_id, _anchor=f"return-{ret.id}"))


@bp.post("/returns/<int:return_id>/accept")
def return_accept(return_id: int):
    """The buyer asked an admin to decide: accept the return, with instructions."""
    ret = _load_return(return_id)
    target = _return_target(ret)
    form = ConfirmForm()
    if not form.validate():
        return _invalid_form(form, target)
    returns.accept(db.session, ret, request.form.get("text", ""), current_user.id, by_admin=True)
    return done(_("Return accepted; the buyer and the cooperative were told."), target)


@bp.post("/returns/<int:return_id>/close")
def return_close(return_id: int):
    """The buyer asked an admin to decide: the cooperative's refusal stands."""
    ret = _load_return(return_id)
    target = _return_target(ret)
    form = ConfirmForm()
    if not form.validate():
        return _invalid_form(form, target)
    returns.close(db.session, ret, request.form.get("text", ""), current_user.id)
    return done(_("The refusal stands; the buyer was told."), target)


@bp.post("/returns/<int:return_id>/refund")
def return_refund(return_id: int):
    """The goods came back: record the bank transfer that refunded them."""
    ret = _load_return(return_id)
    target = _return_target(ret)
    form = ReturnRefundForm()
    if not form.validate():
        return _invalid_form(form, target)
    returns.refund_return(
        db.session,
        ret,
        current_user.id,
        bank_reference=form.bank_reference.data,
        paid_on=form.paid_on.data,
    )
    return done(_("The refund of the return is recorded."), target)


@bp.get("/returns/<int:return_id>/photos/<int:photo_id>")
def return_photo(return_id: int, photo_id: int):
    ret = _load_return(return_id)
    photo = next((p for p in ret.photos if p.id == photo_id), None)
    if photo is None:
        abort(404)
    return send_return_photo(photo, thumb=request.args.get("size") == "thumb")
