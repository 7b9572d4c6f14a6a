"""Policy pages: read (stored text or the default) and edit (audited)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..admin import audit
from ..clock import utcnow
from ..errors import NotFound, ValidationFailed
from .content import BY_SLUG
from .models import PolicyPage

MAX_BODY = 50_000


@dataclass(frozen=True)
class PageText:
    slug: str
    title: str
    body: str
    updated_at: object


def _stored(session: Session, slug: str) -> PolicyPage | None:
    return session.scalar(select(PolicyPage).where(PolicyPage.slug == slug))


def get_for_edit(session: Session, slug: str) -> PolicyPage:
    """The stored page, or a new unsaved one holding the default text."""
    kind = BY_SLUG.get(slug)
    if kind is None:
        raise NotFound()
    page = _stored(session, slug)
    if page is None:
        page = PolicyPage(
            slug=slug,
            title_vi=kind.title_vi,
            title_en=kind.title_en,
            body_vi=kind.body_vi,
            body_en=kind.body_en,
        )
    return page


def text_for(session: Session, slug: str, locale: str) -> PageText:
    page = get_for_edit(session, slug)
    english = locale == "en"
    return PageText(
        slug=slug,
        title=(page.title_en if english else page.title_vi) or page.title_vi,
        body=(page.body_en if english else page.body_vi) or page.body_vi,
        updated_at=page.updated_at,
    )


def save(
    session: Session,
    slug: str,
    actor_id: int,
    *,
    title_vi: str,
    title_en: str,
    body_vi: str,
    body_en: str,
) -> PolicyPage:
    page = get_for_edit(session, slug)
    if not title_vi.strip() or not body_vi.strip():
        raise ValidationFailed(_l("The Vietnamese title and text are required."))
    if max(len(body_vi), len(body_en)) > MAX_BODY:
        raise ValidationFailed(_l("The text is too long."))
    fields = ("title_vi", "title_en", "body_vi", "body_en")
    before = audit.snapshot(page, *fields) if page.id else None
    page.title_vi = title_vi.strip()
    page.title_en = title_en.strip()
    page.body_vi = body_vi.replace("\r\n", "\n")
    page.body_en = body_en.replace("\r\n", "\n")
    page.updated_at = utcnow()
    page.updated_by_id = actor_id
    if page.id is None:
        session.add(page)
        session.flush()
    after = audit.snapshot(page, *fields)
    if before is not None:
        before, after = audit.changed_only(before, after)
    audit.record(session, actor_id, "policy_page.edit", page, before, after)
    return page
