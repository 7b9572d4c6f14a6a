"""Small helpers on mapped rows that several domains' services share."""

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..text import slugify


def lock(session: Session, obj) -> None:
    """Re-read the row under FOR UPDATE (PostgreSQL) so two people cannot both act on it."""
    session.flush()
    session.refresh(obj, with_for_update=True)


def unique_slug(session: Session, model, text: str) -> str:
    """A slug for `text` that no row of `model` uses yet."""
    base = slugify(text, max_length=100)
    slug = base
    while session.scalar(select(func.count()).select_from(model).where(model.slug == slug)):
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug
