from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..core.urls import safe_next
from ..errors import DomainError
from ..extensions import limiter, login_manager
from . import services
from .forms import ChangePasswordForm, LoginForm, LogoutForm, RegisterForm

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


def _register_limit():
    return current_app.config["REGISTER_RATE_LIMIT"]


def _after_login_target(form_next: str | None) -> str:
    return safe_next(form_next or request.args.get("next"), url_for("catalogue.home"))


def _merge_carts_after_login(user) -> None:
    from ..cart.session import merge_anonymous_cart_into

    merge_anonymous_cart_into(user)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_limit_key)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            _merge_carts_after_login(user)
            login_user(user)
            flash(_("Welcome back, %(name)s.", name=user.name), "success")
            return redirect(_after_login_target(form.next.data))
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 422


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.register_user(
                form.email.data, form.password.data, form.name.data, form.phone.data
            )
        except DomainError as error:
            form.email.errors.append(error.message)
        else:
            _merge_carts_after_login(user)
            login_user(user)
            flash(_("Your account is ready."), "success")
            return redirect(_after_login_target(form.next.data))
    status = 200 if request.method == "GET" else 422
    return render_template("auth/register.html", form=form), status


@bp.post("/logout")
def logout():
    form = LogoutForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        services.end_sessions(current_user)
        logout_user()
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
    status = 200 if request.method == "GET" else 422
    return render_template("auth/change_password.html", form=form), status


@bp.get("/account")
@login_required
def account():
    return render_template("auth/account.html")
