"""Vietnamese text folding for search, and slugs."""

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics and map đ to d: 'Mật ong ĐỒNG VĂN' -> 'mat ong dong van'.

    NFD first, so that text typed in NFC and NFD folds to the same string.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = stripped.replace("đ", "d").replace("Đ", "D").lower()
    return _SPACES.sub(" ", stripped).strip()


def slugify(text: str, max_length: int = 80) -> str:
    slug = _NON_ALNUM.sub("-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "item"
