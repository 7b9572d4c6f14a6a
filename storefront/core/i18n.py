"""Vietnamese by default, English as the second language.

msgids are English; storefront/translations/vi holds the one Vietnamese catalogue,
refreshed with `make i18n-update` and kept complete by tests/foundation/test_i18n.py.
"""

from functools import cache
from pathlib import Path

from babel import support
from flask import Flask, g, has_app_context, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from markupsafe import Markup

from ..extensions import babel

LANG_COOKIE = "lang"
# WTForms ships no Vietnamese catalogue for its built-in messages ("This field is required.").
WTFORMS_TRANSLATIONS = Path(__file__).parent / "wtforms_translations"


def select_locale() -> str:
    from flask import current_app

    # CLI commands and jobs have no request: they use the default unless they force one.
    chosen = request.cookies.get(LANG_COOKIE) if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_i18n(app: Flask) -> None:
    # Relative to the package (app.root_path): storefront/translations.
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    # Same behaviour as Flask-Babel's template callables (newstyle: autoescaped, always
    # %-formatted), minus the per-call lookups; see current_translations.
    app.jinja_env.globals.update(
        gettext=template_gettext, _=template_gettext, ngettext=template_ngettext
    )

    @app.before_request
    def use_our_wtforms_catalogue():
        # Flask-WTF looks for this request attribute before loading WTForms' own catalogues.
        request.wtforms_translations = wtforms_translations(str(get_locale()))


@cache
def wtforms_translations(locale: str):
    return support.Translations.load(str(WTFORMS_TRANSLATIONS), [locale], domain="wtforms")


def current_translations():
    """Flask-Babel's merged translations for the current locale, found once per request.

    Flask-Babel resolves its context, domain, locale and cache on every gettext call (5 µs,
    forty times on a listing page). The result is kept on Flask-Babel's per-request context
    beside the locale object it was made for, so force_locale() (emails in the recipient's
    language) and refresh() still get the right catalogue.
    """
    ctx = g.get("_flask_babel") if has_app_context() else None
    locale = getattr(ctx, "babel_locale", None)
    if locale is None:
        return get_translations()
    memo = getattr(ctx, "storefront_translations", None)
    if memo is None or memo[0] is not locale:
        memo = (locale, get_translations())
        ctx.storefront_translations = memo
    return memo[1]


def gettext(string: str, **variables) -> str:
    """flask_babel.gettext's result, through current_translations."""
    rv = current_translations().ugettext(string)
    return rv % variables if variables else rv


def lazy_gettext(string: str, **variables) -> LazyString:
    """flask_babel.lazy_gettext's LazyString, translated through current_translations."""
    return LazyString(gettext, string, **variables)


@pass_context
def template_gettext(context, string: str, **variables):
    rv = current_translations().ugettext(string)
    if context.eval_ctx.autoescape:
        # As Jinja's own newstyle gettext: our catalogues are trusted, and `%` escapes the
        # variables.
        rv = Markup(rv)  # noqa: S704  # nosec B704
    return rv % variables


@pass_context
def template_ngettext(context, singular: str, plural: str, num: int, **variables):
    variables.setdefault("num", num)
    rv = current_translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704  # nosec B704
    return rv % variables
