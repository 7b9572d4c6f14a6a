"""Carrier credentials at rest: Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`).

The key is SHIPPING_CREDENTIALS_KEY (a Fernet key: `python -c "from cryptography.fernet
import Fernet; print(Fernet.generate_key().decode())"`). Without one (local runs, tests)
a key is derived from SECRET_KEY, so a development database stays readable; production
should set its own (rotating SECRET_KEY then leaves the credentials readable).
"""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from flask_babel import lazy_gettext as _l

from ..errors import ValidationFailed


def _fernet(config) -> Fernet:
    key = config.get("SHIPPING_CREDENTIALS_KEY")
    if not key:
        digest = hashlib.sha256(("shipping-credentials:" + config["SECRET_KEY"]).encode()).digest()
        key = base64.urlsafe_b64encode(digest)
    return Fernet(key)


def encrypt(config, credentials: dict) -> str:
    plain = json.dumps(credentials, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return _fernet(config).encrypt(plain).decode("ascii")


def decrypt(config, token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_fernet(config).decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError) as error:
        # A changed key: the cooperative enters the credentials again.
        raise ValidationFailed(
            _l("The carrier account's credentials cannot be read; enter them again.")
        ) from error
