import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..core.urls import safe_next
from ..errors import DomainError
from ..extensions import db, limiter, login_manager
from . import services, twofactor
from .forms import (
    ChangePasswordForm,
    CodeForm,
    ForgotPasswordForm,
    LoginForm,
    LogoutForm,
    RegisterForm,
    ResetPasswordForm,
)
from .tokens import Links
from .twofactor import MFA_SESSION_KEY

# A password-checked login still waiting for its second factor.
PENDING_SESSION_KEY = "mfa_pending"
PENDING_MAX_AGE = 5 * 60

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str):
    return services.load_user(user_id)


login_manager.login_view = "auth.login"
login_manager.login_message = None


def _login_limit_key() -> str:
    # Per client address and email together: an attacker elsewhere cannot lock a
    # real user out by hammering their email.
    email = services.normalise_email(request.form.get("email", ""))
    return f"{request.remote_addr}|{email}"


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _setting(name: str):
    """A limit read from the config at request time (tests and deployments set their own)."""
    return lambda: current_app.config[name]


def _failed(response) -> bool:
    """A refused login (wrong password, unknown email, bad form) answers 422: only those count
    towards the failure limits, so the real user's successful logins never use them up."""
    return response.status_code == 422


def _login_ip_key() -> str:
    return f"login-ip|{request.remote_addr}"


def _login_account_key() -> str:
    return f"login-account|{services.normalise_email(request.form.get('email', ''))[:254]}"


def _whole_shop_key() -> str:
    return "whole-shop"


def _too_many_failed_logins() -> str:
    return _(
        "Too many failed logins. Wait a few minutes and try again, or choose a new password "
        "with “Forgot your password?”."
    )


def _too_many_resets() -> str:
    return _("Too many password reset attempts. Wait an hour and try again.")


def _register_limit():
    return current_app.config["REGISTER_RATE_LIMIT"]


def _after_login_target(form_next: str | None) -> str:
    return safe_next(form_next or request.args.get("next"), url_for("catalogue.home"))


def _merge_carts_after_login(user) -> None:
    from ..cart.session import merge_anonymous_cart_into

    merge_anonymous_cart_into(user)


def _locale() -> str:
    return str(get_locale() or "vi")


def _links() -> Links:
    return Links.from_config(current_app.config)


def _finish_login(user, second_factor: bool) -> None:
    """The person proved who they are: record it, then give this browser its session."""
    _merge_carts_after_login(user)
    services.record_sign_in(
        user, request.remote_addr, request.headers.get("User-Agent"), second_factor
    )
    session.pop(PENDING_SESSION_KEY, None)
    login_user(user)
    if second_factor:
        session[MFA_SESSION_KEY] = user.id
    else:
        session.pop(MFA_SESSION_KEY, None)


def passed_second_factor(user) -> bool:
    return session.get(MFA_SESSION_KEY) == user.id


def _posts_throttled(*limits, error_message, deduct_when=None):
    """One limiter rule per (setting, key) pair on a view's POSTs, counted together: each
    throttled form counts per address, per account and over the whole shop."""

    def decorate(view):
        for setting, key_func in reversed(limits):
            view = limiter.limit(
                _setting(setting),
                methods=["POST"],
                key_func=key_func,
                deduct_when=deduct_when,
                error_message=error_message,
            )(view)
        return view

    return decorate


failed_logins_throttled = _posts_throttled(
    ("LOGIN_IP_FAILURE_RATE_LIMIT", _login_ip_key),
    ("LOGIN_ACCOUNT_FAILURE_RATE_LIMIT", _login_account_key),
    ("LOGIN_GLOBAL_FAILURE_RATE_LIMIT", _whole_shop_key),
    error_message=_too_many_failed_logins,
    deduct_when=_failed,
)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_limit_key)
@failed_logins_throttled
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            target = _after_login_target(form.next.data)
            if user.totp_enabled:
                # The password was right; the session starts only after the second factor.
                session[PENDING_SESSION_KEY] = {
                    "id": user.get_id(),
                    "next": target,
                    "at": int(time.time()),
                }
                return redirect(url_for("auth.second_factor"), code=303)
            _finish_login(user, second_factor=False)
            flash(_("Welcome back, %(name)s.", name=user.name), "success")
            return redirect(target)
    status = 200 if request.method in ("GET", "HEAD") else 422
    return render_template("auth/login.html", form=form), status


def _pending_user():
    pending = session.get(PENDING_SESSION_KEY)
    if not isinstance(pending, dict):
        return None, None
    if int(time.time()) - int(pending.get("at", 0)) > PENDING_MAX_AGE:
        session.pop(PENDING_SESSION_KEY, None)
        return None, None
    user = services.load_user(str(pending.get("id", "")))
    if user is None or not user.totp_enabled:
        return None, None
    return user, safe_next(pending.get("next"), url_for("catalogue.home"))


def _second_factor_limit_key() -> str:
    pending = session.get(PENDING_SESSION_KEY)
    if isinstance(pending, dict):
        who = str(pending.get("id", "")).partition(":")[0]
    elif current_user.is_authenticated:
        who = str(current_user.id)
    else:
        who = "-"
    return f"2fa|{who}"


@bp.route("/login/2fa", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_second_factor_limit_key)
def second_factor():
    """The code step of a login, or a step-up for someone already signed in (an admin whose
    browser has not passed the second factor yet)."""
    user, target = _pending_user()
    step_up = user is None and current_user.is_authenticated and current_user.totp_enabled
    if step_up:
        user = current_user._get_current_object()
        target = safe_next(request.args.get("next"), url_for("auth.account"))
    if user is None:
        flash(_("Log in first."), "warning")
        return redirect(url_for("auth.login"), code=303)
    form = CodeForm()
    if form.validate_on_submit():
        if twofactor.verify(user, form.code.data):
            if step_up:
                session[MFA_SESSION_KEY] = user.id
            else:
                _finish_login(user, second_factor=True)
                flash(_("Welcome back, %(name)s.", name=user.name), "success")
            return redirect(target, code=303)
        db.session.rollback()
        form.code.errors.append(twofactor.WRONG_CODE)
    status = 200 if request.method in ("GET", "HEAD") else 422
    return render_template("auth/second_factor.html", form=form), status


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.register_user(
                form.email.data,
                form.password.data,
                form.name.data,
                form.phone.data,
                consented=form.consent.data,
            )
        except DomainError as error:
            form.email.errors.append(error.message)
        else:
            services.send_email_verification(user, _links(), _locale())
            _finish_login(user, second_factor=False)
            flash(
                _(
                    "Your account is ready. We sent a link to %(email)s: open it to confirm "
                    "your address.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(_after_login_target(form.next.data))
    status = 200 if request.method in ("GET", "HEAD") else 422
    return render_template("auth/register.html", form=form), status


@bp.post("/logout")
def logout():
    form = LogoutForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        services.end_sessions(current_user)
        logout_user()
        session.pop(MFA_SESSION_KEY, None)
        flash(_("You have logged out."), "success")
    return redirect(url_for("catalogue.home"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except DomainError as error:
            form.current_password.errors.append(error.message)
        else:
            # Other devices are logged out; this one gets a fresh cookie.
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed. Other devices were logged out."), "success")
            return redirect(url_for("auth.account"))
    status = 200 if request.method in ("GET", "HEAD") else 422
    return render_template("auth/change_password.html", form=form), status


@bp.get("/account")
@login_required
def account():
    return render_template(
        "auth/account.html",
        sign_ins=services.recent_sign_ins(current_user),
        form=LogoutForm(),
    )


# ------------------------------------------------------------------ password reset


def _reset_ip_key() -> str:
    return f"reset-ip|{request.remote_addr}"


def _reset_account_key() -> str:
    """The account a reset request or a reset form is aimed at: its email, or the token's."""
    email = request.form.get("email")
    if email is not None:
        return f"reset-account|{services.normalise_email(email)[:254]}"
    token = (request.view_args or {}).get("token", "")
    # The signed payload (user id and password fingerprint) is the token's first segment.
    return f"reset-token|{token.partition('.')[0][:80]}"


reset_throttled = _posts_throttled(
    ("PASSWORD_RESET_IP_RATE_LIMIT", _reset_ip_key),
    ("PASSWORD_RESET_ACCOUNT_RATE_LIMIT", _reset_account_key),
    ("PASSWORD_RESET_GLOBAL_RATE_LIMIT", _whole_shop_key),
    error_message=_too_many_resets,
)


@bp.route("/password/forgot", methods=["GET", "POST"])
@reset_throttled
def forgot_password():
    if current_user.is_authenticated:
        return redirect(url_for("auth.change_password"))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, _links(), _locale())
        # The same words whether or not the address has an account.
        flash(
            _(
                "If an account uses %(email)s, we have sent it a link to choose a new "
                "password. The link works once, within one hour.",
                email=services.normalise_email(form.email.data),
            ),
            "success",
        )
        return redirect(url_for("auth.login"), code=303)
    status = 200 if request.method in ("GET", "HEAD") else 422
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@reset_throttled
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.forgot_password"), code=303)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except DomainError as error:
            db.session.rollback()
            form.password.errors.append(error.message)
        else:
            if current_user.is_authenticated:
                logout_user()
            session.pop(MFA_SESSION_KEY, None)
            flash(
                _("Your password has been changed and every device was logged out. Log in now."),
                "success",
            )
            return redirect(url_for("auth.login"), code=303)
    status = 200 if request.method in ("GET", "HEAD") else 422
    response = render_template("auth/reset_password.html", form=form, token=token)
    return response, status


# ------------------------------------------------------------------ email verification


@bp.get("/email/verify/<token>")
def verify_email(token: str):
    try:
        _user, claimed = services.verify_email(token)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("auth.account" if current_user.is_authenticated else "auth.login"))
    _flash_verified(claimed)
    return redirect(url_for("auth.account" if current_user.is_authenticated else "auth.login"))


@bp.get("/email/change/<token>")
def confirm_email_change(token: str):
    try:
        _user, claimed = services.confirm_email_change(token, _locale())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("auth.account" if current_user.is_authenticated else "auth.login"))
    flash(_("Your new email address is confirmed."), "success")
    _flash_verified(claimed)
    return redirect(url_for("auth.account" if current_user.is_authenticated else "auth.login"))


def _flash_verified(claimed: int) -> None:
    flash(_("Your email address is confirmed."), "success")
    if claimed:
        flash(
            _(
                "%(n)d earlier order placed with this address is now in your order history.",
                n=claimed,
            )
            if claimed == 1
            else _(
                "%(n)d earlier orders placed with this address are now in your order history.",
                n=claimed,
            ),
            "success",
        )


def _verification_limit_key() -> str:
    return f"verify|{current_user.id if current_user.is_authenticated else request.remote_addr}"


@bp.post("/account/email/resend")
@login_required
@limiter.limit("3 per hour", key_func=_verification_limit_key)
def resend_verification():
    if LogoutForm().validate_on_submit():
        services.send_email_verification(current_user, _links(), _locale())
        flash(
            _("We sent a new confirmation link to %(email)s.", email=current_user.email), "success"
        )
    return redirect(url_for("auth.account"), code=303)
