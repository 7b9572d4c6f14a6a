"""Vietnamese by default, English as the second language.

Each feature keeps its own catalogue in `storefront/<feature>/translations`, so
features can be translated independently; Flask-Babel merges them all.
msgids are English; the Vietnamese catalogues are complete (tests/test_i18n.py).
"""

from flask import Flask, request

from ..extensions import babel

LANG_COOKIE = "lang"


def translation_directories(package_dir) -> list[str]:
    return sorted(str(path) for path in package_dir.glob("**/translations") if path.is_dir())


def select_locale() -> str:
    from flask import current_app

    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_i18n(app: Flask) -> None:
    from .. import PACKAGE_DIR

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories(PACKAGE_DIR))
    babel.init_app(app, locale_selector=select_locale)
