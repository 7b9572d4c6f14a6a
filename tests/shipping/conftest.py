import socket

import pytest


@pytest.fixture
def refused_url():
    """An address where nothing listens: a port bound by us, never listening, so the
    connection is refused (and no other test can take the port while this one runs)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()
