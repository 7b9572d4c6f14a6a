from urllib.parse import urlsplit


def safe_next(target: str | None, fallback: str) -> str:
    """Accept only a relative path on this site for ?next=, never another host."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    return target
