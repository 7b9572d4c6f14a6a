import secrets

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
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.models import Address
from ..cart import services as cart_services
from ..cart.forms import VoucherForm
from ..cart.session import current_cart
from ..clock import utcnow
from ..core.pagination import paginate
from ..core.uow import done
from ..core.urls import public_url
from ..core.validators import parse_id
from ..errors import DomainError, back_to
from ..extensions import db
from ..promotions import rules as promotion_rules
from ..shipping import quotes as shipping_quotes
from ..shipping.carriers import CARRIER_LABELS
from . import bank_transfer, cancellation, fulfilment, payments, refunds, returns
from . import checkout as checkout_service
from .forms import ActionForm, CancelForm, CheckoutForm, PayForm, quantities_from
from .labels import REFUND_METHOD_LABELS
from .models import (
    Order,
    PaymentMethod,
    PaymentStatus,
    ProducerOrder,
    Refund,
    ReturnPhoto,
    ReturnRequest,
)
from .routing import BUYER_CANCELLABLE, SubOrderStatus
from .totals import order_totals, sub_order_totals

bp = Blueprint("orders", __name__)
# Every template (pages, emails, slips) reads an order's money through these.
bp.add_app_template_global(order_totals, "order_totals")
bp.add_app_template_global(sub_order_totals, "sub_order_totals")
bp.add_app_template_global(refunds.automatic_method, "automatic_refund")
bp.add_app_template_global(REFUND_METHOD_LABELS, "refund_method_labels")
bp.add_app_template_global(returns.REASONS, "return_reasons")

TIMELINE = (
    SubOrderStatus.PLACED,
    SubOrderStatus.CONFIRMED,
    SubOrderStatus.PACKED,
    SubOrderStatus.SHIPPED,
    SubOrderStatus.DELIVERED,
)


# ------------------------------------------------------------------ helpers


# Compared against when no order has the number, so a miss costs what a hit does.
_NO_TOKEN = secrets.token_urlsafe(32)


def _load_order(number: str, token: str | None) -> Order:
    """The owner, or anyone holding the order's token link; everyone else gets a 404.

    Only the id, owner and token are read before access is decided, whether the number
    exists or not: an existing number without its token answers as fast as a missing one.
    """
    found = db.session.execute(
        select(Order.id, Order.user_id, Order.access_token).where(Order.number == number[:32])
    ).one_or_none()
    order_id, owner_id, access_token = found if found is not None else (None, None, _NO_TOKEN)
    is_owner = (
        current_user.is_authenticated and owner_id is not None and owner_id == current_user.id
    )
    offered = (token or "").encode("utf-8", "surrogatepass")
    holds_token = secrets.compare_digest(offered, access_token.encode())
    if found is None or not (is_owner or (token and holds_token)):
        abort(404)
    return db.session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .options(
            selectinload(Order.sub_orders).selectinload(ProducerOrder.lines),
            selectinload(Order.payments),
            selectinload(Order.refunds).selectinload(Refund.lines),
        )
    )


def _token_arg() -> str | None:
    return request.values.get("token") or None


def _detail_url(order: Order, **extra) -> str:
    return url_for("orders.detail", number=order.number, token=order.access_token, **extra)


def _saved_addresses() -> list[Address]:
    if not current_user.is_authenticated:
        return []
    return list(
        db.session.scalars(
            select(Address)
            .where(Address.user_id == current_user.id)
            .order_by(Address.is_default.desc(), Address.id)
        )
    )


def _prefill(saved_addresses: list[Address]) -> dict:
    if not current_user.is_authenticated:
        return {}
    data = {"name": current_user.name, "email": current_user.email, "phone": current_user.phone}
    default = next((a for a in saved_addresses if a.is_default), None)
    if default is not None:
        # The address book's default is chosen first; the buyer can pick another.
        data.update(address_id=default.id, name=default.recipient_name, phone=default.phone)
    return {key: value for key, value in data.items() if value}


def _details_from(form: CheckoutForm) -> checkout_service.CheckoutDetails:
    saved = form.saved_address
    return checkout_service.CheckoutDetails(
        name=form.name.data,
        phone=form.phone.data,
        email=form.email.data,
        province_code=saved.province_code if saved else form.province.data,
        ward_code=saved.ward_code if saved else form.ward.data,
        street=saved.street if saved else form.street.data,
        note=form.note.data or "",
        payment_method=PaymentMethod(form.payment_method.data),
        locale=str(get_locale() or "vi"),
        save_address=bool(form.save_address.data) and saved is None,
        invoice=form.invoice_details(),
    )


def _start_card_payment(order: Order):
    """After the order is committed: send the buyer to Stripe (or the demo page)."""
    try:
        target = payments.start_card_payment(
            db.session,
            order,
            # From PUBLIC_BASE_URL, never from the request's Host header: the buyer is sent
            # back (with the order's token) to whatever these URLs name.
            success_url=public_url(
                "orders.detail", number=order.number, token=order.access_token, paid=1
            ),
            cancel_url=public_url("orders.detail", number=order.number, token=order.access_token),
            demo_url=url_for("orders.demo_pay", number=order.number, token=order.access_token),
            config=current_app.config,
        )
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(_detail_url(order), code=303)
    db.session.commit()
    return redirect(target, code=303)


# ------------------------------------------------------------------ checkout


@bp.route("/checkout", methods=["GET", "POST"])
def checkout():
    settings = checkout_service.OrderSettings.from_config(current_app.config)
    cart = current_cart()
    saved_addresses = _saved_addresses()
    card_enabled = payments.card_available(current_app.config)
    form = CheckoutForm(
        saved_addresses=saved_addresses,
        card_enabled=card_enabled,
        data=_prefill(saved_addresses) if request.method in ("GET", "HEAD") else None,
    )
    error = None
    # The no-JavaScript path posts "wards" to show the wards of the province just chosen.
    placing = request.method == "POST" and request.form.get("action") != "wards"
    if placing and cart is not None and form.validate_on_submit():
        # place_order reads and prices the cart once, under the cart's lock; the page below
        # is only built when the order could not be placed.
        try:
            order = checkout_service.place_order(
                db.session,
                cart,
                _details_from(form),
                user=current_user if current_user.is_authenticated else None,
                settings=settings,
                shipping_seen=request.form.get("shipping_seen"),
            )
        except checkout_service.CartAlreadyOrdered as twin:
            db.session.rollback()
            return _placed(twin.order)
        except DomainError as failure:
            db.session.rollback()
            error = str(failure.message)
        else:
            if order.payment_method is PaymentMethod.CARD:
                db.session.commit()  # the order exists before the buyer is sent to Stripe
            # Otherwise the request's unit of work commits (core/uow.py) after the redirect.
            return _placed(order)
    # Once a ward is known, each parcel is priced by carrier, route and weight (and its
    # delivery days shown) before the buyer places the order.
    shipping = _shipping_for(settings, saved_addresses)
    # The checkout page shows no images; the vouchers' discounts need the buyer's key.
    summary = cart_services.summarize(
        db.session, cart, shipping, with_images=False, buyer_key=_buyer_key()
    )
    if request.method == "POST" and summary.is_empty:
        placed = checkout_service.already_ordered(db.session, cart)
        if placed is not None:
            return _placed(placed)
    if summary.is_empty:
        flash(_("Your cart is empty."), "warning")
        return redirect(url_for("cart.view"), code=303)
    if summary.has_problems:
        # The cart page explains the changes in its own banner: a flash would repeat it.
        return redirect(url_for("cart.view"), code=303)
    status = 422 if placing else 200
    return _render_checkout(form, summary, settings, card_enabled, error, status, shipping)


def _placed(order: Order):
    """Where a submitted checkout goes: the first submit and any twin of it alike."""
    if order.payment_method is PaymentMethod.CARD and order.payment_status is PaymentStatus.PENDING:
        return _start_card_payment(order)
    flash(_("Thank you! Your order %(number)s is placed.", number=order.number), "success")
    return redirect(_detail_url(order), code=303)


def _buyer_key() -> str | None:
    return cart_services.buyer_key(current_user if current_user.is_authenticated else None)


def _shipping_for(settings, saved_addresses: list[Address]):
    """The routed shipping policy for the ward being chosen (the posted one, the saved
    address picked, or the default address), else the flat one."""
    province, ward = None, None
    if request.method == "POST":
        address_id = parse_id(request.form.get("address_id"))
        chosen = next((a for a in saved_addresses if a.id == address_id), None)
        if chosen is not None:
            province, ward = chosen.province_code, chosen.ward_code
        else:
            province, ward = (
                parse_id(request.form.get("province")),
                parse_id(request.form.get("ward")),
            )
    else:
        default = next((a for a in saved_addresses if a.is_default), None)
        if default is not None:
            province, ward = default.province_code, default.ward_code
    return shipping_quotes.policy_for(
        db.session, settings.shipping, province, ward, current_app.config
    )


def _render_checkout(form, summary, settings, card_enabled, error=None, status=200, shipping=None):
    return (
        render_template(
            "orders/checkout.html",
            form=form,
            summary=summary,
            voucher_form=VoucherForm(formdata=None),
            offers=[],
            describe_voucher=promotion_rules.describe,
            error=error,
            card_enabled=card_enabled,
            demo_mode=payments.demo_mode(current_app.config),
            free_threshold=settings.shipping.free_threshold,
            quotes=getattr(shipping, "quotes", {}),
            carrier_labels=CARRIER_LABELS,
        ),
        status,
    )


# ------------------------------------------------------------------ the buyer's orders


@bp.get("/orders/<number>")
def detail(number: str):
    order = _load_order(number, _token_arg())
    settings = returns.ReturnSettings.from_config(current_app.config)
    bank = None
    if order.payment_method is PaymentMethod.BANK_TRANSFER:
        from .emails import bank_details

        bank = bank_details(order)
    return render_template(
        "orders/detail.html",
        order=order,
        token=order.access_token,
        bank=bank,
        confirming=bool(request.args.get("paid")) and order.payment_status is PaymentStatus.PENDING,
        timeline=TIMELINE,
        buyer_cancellable=BUYER_CANCELLABLE,
        cancel_form=CancelForm(),
        pay_form=PayForm(),
        action_form=ActionForm(),
        demo_mode=payments.demo_mode(current_app.config),
        returns=_returns_of(order),
        can_return=lambda so: returns.can_request(so, settings, utcnow()),
        return_window_ends=lambda so: returns.window_ends(so, settings),
        returnable=returns.returnable_quantity,
        max_photos=settings.max_photos,
        reviewable=_reviewable_lines(order),
    )


def _reviewable_lines(order: Order) -> set[int]:
    from ..reviews.services import reviewable_line_ids

    user_id = current_user.id if current_user.is_authenticated else None
    return reviewable_line_ids(db.session, user_id, order)


@bp.get("/orders/<number>/transfer-qr.svg")
def transfer_qr(number: str):
    response = Response(bank_transfer.qr_svg(_transfer_payload(number)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/orders/<number>/transfer-qr.png")
def transfer_qr_png(number: str):
    """The QR code as a file to save: a buyer paying from this same phone cannot scan it."""
    response = Response(bank_transfer.qr_png(_transfer_payload(number)), mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = f'attachment; filename="VietQR-{number}.png"'
    return response


def _transfer_payload(number: str) -> str:
    order = _load_order(number, _token_arg())
    if order.payment_method is not PaymentMethod.BANK_TRANSFER or not order.transfer_reference:
        abort(404)
    config = current_app.config
    return bank_transfer.vietqr_payload(
        config["SHOP_BANK_BIN"],
        config["SHOP_BANK_ACCOUNT"],
        order.grand_total,
        order.transfer_reference,
    )


@bp.get("/account/orders")
@login_required
def account_orders():
    page = paginate(
        db.session,
        select(Order)
        .where(Order.user_id == current_user.id)
        .options(selectinload(Order.sub_orders))
        .order_by(Order.id.desc()),
        request.args.get("page", 1, type=int),
        per_page=20,
    )
    return render_template(
        "orders/account_orders.html",
        page=page,
    )


@bp.post("/orders/<number>/sub-orders/<int:sub_order_id>/cancel")
def cancel_sub_order(number: str, sub_order_id: int):
    order = _load_order(number, _token_arg())
    sub_order = next((so for so in order.sub_orders if so.id == sub_order_id), None)
    if sub_order is None:
        abort(404)
    return _cancel(order, sub_order)


@bp.post("/orders/<number>/cancel")
def cancel_order(number: str):
    order = _load_order(number, _token_arg())
    return _cancel(order, None)


def _cancel(order: Order, sub_order: ProducerOrder | None):
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for the cancellation."), "error")
        return redirect(_detail_url(order), code=303)
    actor_id = current_user.id if current_user.is_authenticated else None
    try:
        cancellation.cancel_by_buyer(db.session, order, sub_order, actor_id, form.reason.data)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(_detail_url(order), code=303)
    db.session.commit()
    flash(_("The cancellation is done; the items return to sale."), "success")
    return redirect(_detail_url(order), code=303)


@bp.post("/orders/<number>/pay")
def pay(number: str):
    order = _load_order(number, _token_arg())
    if not PayForm().validate_on_submit():
        abort(400)
    return _start_card_payment(order)


# ------------------------------------------------------------------ demo card payment


def _demo_order(number: str) -> Order:
    if not payments.demo_mode(current_app.config):
        abort(404)
    order = _load_order(number, _token_arg())
    if order.payment_method is not PaymentMethod.CARD:
        abort(404)
    return order


@bp.get("/orders/<number>/demo-pay")
def demo_pay(number: str):
    order = _demo_order(number)
    return render_template("orders/demo_pay.html", order=order, pay_form=PayForm())


@bp.post("/orders/<number>/demo-pay")
def demo_pay_submit(number: str):
    order = _demo_order(number)
    if not PayForm().validate_on_submit():
        abort(400)
    if request.form.get("outcome") == "pay":
        outcome = fulfilment.mark_paid(
            db.session,
            order,
            amount=order.grand_total,
            currency="vnd",
            provider="demo",
            provider_ref=f"demo_{order.number}",
        )
    else:
        outcome = fulfilment.mark_failed(db.session, order, provider_ref=f"demo_{order.number}")
    db.session.commit()
    messages = {
        "paid": (_("Demo payment received. Thank you!"), "success"),
        "failed": (_("The demo payment failed; the order was cancelled."), "warning"),
    }
    message, category = messages.get(
        outcome, (_("This order is no longer waiting for payment."), "warning")
    )
    flash(message, category)
    return redirect(_detail_url(order), code=303)


# ------------------------------------------------------------------ returns


def _returns_of(order: Order) -> list[ReturnRequest]:
    return list(
        db.session.scalars(
            select(ReturnRequest)
            .where(ReturnRequest.order_id == order.id)
            .options(selectinload(ReturnRequest.lines), selectinload(ReturnRequest.photos))
            .order_by(ReturnRequest.id)
        )
    )


def _own_return(order: Order, return_id: int) -> ReturnRequest:
    ret = db.session.get(ReturnRequest, return_id)
    if ret is None or ret.order_id != order.id:
        abort(404)
    return ret


def _returns_url(order: Order) -> str:
    return back_to(_detail_url(order, _anchor="returns"))


@bp.post("/orders/<number>/sub-orders/<int:sub_order_id>/return")
def request_return(number: str, sub_order_id: int):
    order = _load_order(number, _token_arg())
    sub_order = next((so for so in order.sub_orders if so.id == sub_order_id), None)
    if sub_order is None:
        abort(404)
    target = _returns_url(order)
    if not ActionForm().validate_on_submit():
        abort(400)
    photos = [f.read() for f in request.files.getlist("photos") if f and f.filename]
    returns.request_return(
        db.session,
        order,
        sub_order,
        quantities_from(request.form, "qty-", sub_order.lines),
        request.form.get("reason", ""),
        request.form.get("details", ""),
        photos,
        current_user.id if current_user.is_authenticated else None,
        returns.ReturnSettings.from_config(current_app.config),
    )
    return done(_("Your return request was sent to the cooperative."), target)


@bp.post("/orders/<number>/returns/<int:return_id>/escalate")
def escalate_return(number: str, return_id: int):
    order = _load_order(number, _token_arg())
    ret = _own_return(order, return_id)
    target = _returns_url(order)
    if not ActionForm().validate_on_submit():
        abort(400)
    from ..auth.models import User, UserRole

    admins = list(
        db.session.scalars(
            select(User.email).where(User.role == UserRole.ADMIN, User.is_active_flag.is_(True))
        )
    )
    returns.escalate(
        db.session,
        ret,
        request.form.get("note", ""),
        current_user.id if current_user.is_authenticated else None,
        admins,
    )
    return done(_("An admin will look at your return and decide."), target)


def send_return_photo(photo: ReturnPhoto, thumb: bool):
    """Return photos are private: served only after the caller checked who may see them."""
    from flask import send_from_directory

    response = send_from_directory(
        current_app.config["RETURN_PHOTO_FOLDER"],
        photo.thumb_filename if thumb else photo.filename,
        mimetype="image/jpeg",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/orders/<number>/returns/<int:return_id>/photos/<int:photo_id>")
def return_photo(number: str, return_id: int, photo_id: int):
    order = _load_order(number, _token_arg())
    ret = _own_return(order, return_id)
    photo = next((p for p in ret.photos if p.id == photo_id), None)
    if photo is None:
        abort(404)
    return send_return_photo(photo, thumb=request.args.get("size") == "thumb")


# ------------------------------------------------------------------ invoices and receipts


@bp.get("/orders/<number>/invoices/<int:sub_order_id>.pdf")
def invoice_pdf(number: str, sub_order_id: int):
    from flask import send_from_directory

    order = _load_order(number, _token_arg())
    sub_order = next((so for so in order.sub_orders if so.id == sub_order_id), None)
    if sub_order is None or sub_order.invoice is None:
        abort(404)
    response = send_from_directory(
        current_app.config["INVOICE_FOLDER"],
        sub_order.invoice.pdf_filename,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{order.number}-{sub_order.invoice.invoice_number}.pdf".replace("/", "-"),
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/orders/<number>/receipt")
def receipt(number: str):
    """A printable receipt, in Vietnamese or English whatever the page language."""
    order = _load_order(number, _token_arg())
    language = request.args.get("lang")
    if language not in ("vi", "en"):
        language = str(get_locale() or "vi")
    with force_locale(language):
        return render_template(
            "orders/receipt.html",
            order=order,
            token=order.access_token,
            language=language,
        )
