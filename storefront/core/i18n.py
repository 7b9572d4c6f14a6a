"""Vietnamese by default, English as the second language.

Each feature keeps its own catalogue in `storefront/<feature>/translations`, so
features can be translated independently; Flask-Babel merges them all.
msgids are English; the Vietnamese catalogues are complete (tests/test_i18n.py).
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


def translation_directories(package_dir) -> list[str]:
    return sorted(str(path) for path in package_dir.glob("**/translations") if path.is_dir())


def select_locale() -> str:
    from flask import current_app

    # CLI commands and jobs have no request: they use the default unless they force one.
    chosen = request.cookies.get(LANG_COOKIE) if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_i18n(app: Flask) -> None:
    from .. import PACKAGE_DIR

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories(PACKAGE_DIR))
    babel.init_app(app, locale_selector=select_locale)

    @app.before_request
    def use_our_wtforms_catalogue():
        # Flask-WTF looks for this request attribute before loading WTForms' own catalogues.
        request.wtforms_translations = wtforms_translations(str(get_locale()))


@cache
def wtforms_translations(locale: str):
    return support.Translations.load(str(WTFORMS_TRANSLATIONS), [locale], domain="wtforms")
