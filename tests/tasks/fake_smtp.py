"""A tiny SMTP server on 127.0.0.1 for the mail tests: counts connections and messages."""

import atexit
import socket
import socketserver
import threading
from email import message_from_bytes


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        server = self.server
        server.connections += 1
        self._reply(b"220 fake ESMTP")
        collecting, lines = False, []
        while line := self.rfile.readline():
            if collecting:
                if line in (b".\r\n", b".\n"):
                    collecting = False
                    server.messages.append(message_from_bytes(b"".join(lines)))
                    lines = []
                    self._reply(b"250 queued")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self._reply(b"250 fake")
            elif verb == b"DATA":
                collecting = True
                self._reply(b"354 go ahead")
            elif verb == b"QUIT":
                self._reply(b"221 bye")
                return
            else:
                self._reply(b"250 ok")

    def _reply(self, text: bytes) -> None:
        self.wfile.write(text + b"\r\n")


class FakeSMTP(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.connections = 0
        self.messages: list = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


_HELD: list[socket.socket] = []


def closed_port() -> int:
    """A port nothing listens on. The socket stays bound (never listening) until the test
    process ends: connecting is refused, and no other test can take the port meanwhile, as it
    could if the port were released."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    _HELD.append(sock)
    return sock.getsockname()[1]


@atexit.register
def _release_held_ports() -> None:
    for sock in _HELD:
        sock.close()
