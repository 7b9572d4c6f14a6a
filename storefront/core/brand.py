"""The shop's name: one setting per language (SHOP_NAME in Vietnamese, SHOP_NAME_EN in
English), so pages, emails, the web app manifest and the authenticator entry all say the
same thing, and a deployment under another name changes two settings, not fifty strings.

`SHOP` stands in a lazy message (`_l("Join %(producer)s on %(shop)s", shop=SHOP)`): it is
turned into words when the message is, in that message's language.
"""

from flask import current_app
from flask_babel import get_locale


def shop_name() -> str:
    locale = get_locale()
    english = locale is not None and locale.language == "en"
    return current_app.config["SHOP_NAME_EN" if english else "SHOP_NAME"]


class _ShopName:
    def __str__(self) -> str:
        return shop_name()


SHOP = _ShopName()
