"""Vietnamese by default, English as the second language.

msgids are English; storefront/translations/vi holds the one Vietnamese catalogue,
refreshed with `make i18n-update` and kept complete by tests/foundation/test_i18n.py.
"""

from functools import cache
from pathlib import Path

from babel import support
from flask import Flask, has_request_context, request
from flask_babel import get_locale

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

    @app.before_request
    def use_our_wtforms_catalogue():
        # Flask-WTF looks for this request attribute before loading WTForms' own catalogues.
        request.wtforms_translations = wtforms_translations(str(get_locale()))


@cache
def wtforms_translations(locale: str):
    return support.Translations.load(str(WTFORMS_TRANSLATIONS), [locale], domain="wtforms")
