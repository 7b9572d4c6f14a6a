from urllib.parse import urlsplit

from flask import current_app, url_for


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


def public_url(endpoint: str, **values) -> str:
    """An absolute link to leave the site with (payment return URLs, emails): built from
    PUBLIC_BASE_URL, so a forged Host header cannot point it elsewhere."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)
