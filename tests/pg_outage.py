"""A TCP proxy between the apps and PostgreSQL that the tests can cut: the database "gone" for the
apps (every connection closed, new ones refused) while the machine's server runs on for everyone
else, and back again."""

from __future__ import annotations

import socket
import threading
from contextlib import suppress


class Outage:
    """Listens on a free loopback port and forwards to `upstream`, until `cut()`; `restore()`
    listens again on the same port. `cut_at(marker, after)`: the outage begins when a connection
    that sent `after` sends `marker` (say, the COMMIT of a ledger transaction), with `marker`
    passed on first or not."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.listener = self._listen(0)
        self.port: int = self.listener.getsockname()[1]
        self.trip: tuple[bytes, bytes, bool] | None = None
        self.tripped = threading.Event()
        self.silent = False  # accept connections and hold them, answering nothing

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return listener

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            if self.silent:
                with self.lock:
                    self.sockets.add(client)
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.sockets |= {client, server}
            seen = [False]
            threading.Thread(target=self._pump, args=(client, server, seen), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, None), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, seen: list[bool] | None) -> None:
        """`seen`: on the client's side, whether `after` went by on this connection."""
        try:
            while data := source.recv(65536):
                trip = self.trip
                if seen is not None and trip is not None:
                    marker, after, passed_on = trip
                    seen[0] = seen[0] or after in data
                    if seen[0] and marker in data:
                        if passed_on:
                            target.sendall(data)
                        self.tripped.set()
                        self.cut()
                        return
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            self._close(end)

    def _close(self, end: socket.socket) -> None:
        with suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        end.close()
        with self.lock:
            self.sockets.discard(end)

    def cut_at(self, marker: bytes, after: bytes, passed_on: bool) -> None:
        self.trip = (marker, after, passed_on)

    def cut(self) -> None:
        self.trip = None
        with suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes its accept(); close() alone would not
        self.listener.close()
        with self.lock:
            ends = list(self.sockets)
        for end in ends:
            self._close(end)

    def silence(self) -> None:
        """A server that takes connections and says nothing (hung, or lost behind a firewall that
        drops its packets): every connection closed, new ones held without an answer."""
        self.cut()
        self.silent = True
        self.listener = self._listen(self.port)

    def restore(self) -> None:
        if self.silent:
            self.cut()
            self.silent = False
        self.listener = self._listen(self.port)

    def close(self) -> None:
        self.cut()
