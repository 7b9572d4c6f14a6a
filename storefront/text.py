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


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
# The letters with a breve, circumflex or horn, and đ, are letters of their own; the five
# tone marks only break ties, in the traditional order (none, huyền, hỏi, ngã, sắc, nặng).
_LETTER_MARKS = {"\u0306": 1, "\u0302": 2, "\u031b": 3}  # breve, circumflex, horn
_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def normalise_spaces(text: str) -> str:
    """'Phường  An Nhơn ' -> 'Phường An Nhơn' (some official names carry double spaces)."""
    return _SPACES.sub(" ", text).strip()


def vietnamese_sort_key(text: str) -> tuple:
    """A key that sorts names as a Vietnamese reader expects: base letters first (so
    "Cà Mau" < "Cao Bằng" and "Cầu Giấy" < "Chương Mỹ"), then tone marks, then case."""
    letters: list[tuple[str, int]] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFD", normalise_spaces(text)):
        if char in _LETTER_MARKS and letters:
            base, _ = letters[-1]
            letters[-1] = (base, _LETTER_MARKS[char])
        elif char in _TONE_MARKS:
            if tones:
                tones[-1] = _TONE_MARKS[char]
        elif unicodedata.category(char) == "Mn":
            continue
        else:
            lower = char.lower()
            letters.append(("d", 4) if lower == "đ" else (lower, 0))
            tones.append(0)
    return (tuple(letters), tuple(tones), text)
