"""A TCP proxy in front of Redis that can forward, hang (accept but never answer) or refuse."""

import contextlib
import os
import socket
import threading
from urllib.parse import urlparse


class BrokerProxy:
    def __init__(self, target_url):
        parsed = urlparse(target_url)
        self.target = (parsed.hostname or "127.0.0.1", parsed.port or 6379)
        self.db = parsed.path or "/0"
        self.mode = "forward"
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self._sockets = []
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self._server.getsockname()[1]}{self.db}"

    def _accept(self):
        while not self._stopped:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            self._sockets.append(client)
            if self.mode == "refuse":
                client.close()
            elif self.mode == "forward":
                upstream = socket.create_connection(self.target)
                self._sockets.append(upstream)
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()
            # "hang": keep the connection open and never send a byte back.

    def _pipe(self, source, sink):
        try:
            while chunk := source.recv(65536):
                if self.mode != "forward":
                    return
                sink.sendall(chunk)
        except OSError:
            return

    def drop_connections(self):
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()
        self._sockets.clear()

    def close(self):
        self._stopped = True
        self.drop_connections()
        self._server.close()


def redis_url():
    return os.environ.get("REDIS_URL", "")
