"""Account fixtures: links from the outbox, and a helper to read the one we expect."""

import re

import pytest

from storefront.mail import outbox


def links_in(message) -> list[str]:
    return re.findall(r"https?://\S+", message.get_content())


@pytest.fixture
def last_link():
    """The first absolute link in the newest outbox message sent to `to`."""

    def find(to: str) -> str:
        for message in reversed(outbox()):
            if message["To"] == to:
                found = links_in(message)
                assert found, message.get_content()
                return found[0]
        raise AssertionError(f"no email to {to}: {[m['To'] for m in outbox()]}")

    return find
