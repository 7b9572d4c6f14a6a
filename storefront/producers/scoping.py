"""The second lock on the dashboard's door: an object handed to a producer's service must
belong to that producer. The views load objects scoped already; this check makes a service
safe to call from anywhere else too."""

from ..errors import NotFound
from .models import Producer


def ensure_own(producer: Producer, owner_id: int) -> None:
    """Another producer's object is not found, not forbidden: its existence is not told."""
    if owner_id != producer.id:
        raise NotFound()
