from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.types import TimestampMixin
from ..extensions import db


class PolicyPage(TimestampMixin, db.Model):
    """A policy page the operator keeps (privacy, terms, returns...), written in Markdown.

    Only the fixed slugs in pages.content exist; until an admin edits one, its default text
    is shown, so a fresh shop never links to a missing page.
    """

    __tablename__ = "policy_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    title_vi: Mapped[str] = mapped_column(String(120))
    title_en: Mapped[str] = mapped_column(String(120))
    body_vi: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
