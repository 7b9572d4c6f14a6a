"""Cart services (the checkout issue fills these in)."""


def merge_carts(session, anonymous_token: str, user) -> None:
    """Merge the anonymous cart into the user's: quantities summed, capped at stock."""
    return
