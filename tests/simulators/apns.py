"""A stand-in for Apple Push Notification service on loopback: HTTP/2 (cleartext, prior
knowledge) through `h2`, one thread per connection, every socket with a timeout. It records each
push (path, headers, body) and answers 200, or what the test set for a device token (410 and a
reason, 503 for an outage)."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.events import ConnectionTerminated, DataReceived, RequestReceived, StreamEnded

SOCKET_TIMEOUT = 5.0


@dataclass(frozen=True)
class Push:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def token(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass
class ApnsStandIn:
    port: int = 0
    pushes: list[Push] = field(default_factory=list)
    answers: dict[str, tuple[int, str]] = field(default_factory=dict)  # token → (status, reason)
    down: bool = False  # every push answered 503
    _received: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Push]:
        with self._received:
            self._received.wait_for(lambda: len(self.pushes) >= count, timeout)
            return list(self.pushes)

    def _answer(self, connection: H2Connection, stream_id: int, push: Push) -> None:
        if self.down:
            status, reason = 503, "ServiceUnavailable"
        else:
            status, reason = self.answers.get(push.token, (200, ""))
        headers = [(":status", str(status)), ("apns-id", str(uuid.uuid4()))]
        if status == 200:
            connection.send_headers(stream_id, headers, end_stream=True)
            return
        connection.send_headers(stream_id, [*headers, ("content-type", "application/json")])
        connection.send_data(stream_id, json.dumps({"reason": reason}).encode(), end_stream=True)

    def serve_connection(self, sock: socket.socket) -> None:
        sock.settimeout(SOCKET_TIMEOUT)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = H2Connection(H2Configuration(client_side=False, header_encoding="utf-8"))
        connection.initiate_connection()
        streams: dict[int, tuple[dict[str, str], bytearray]] = {}
        with sock:
            sock.sendall(connection.data_to_send())
            while True:
                try:
                    data = sock.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                for event in connection.receive_data(data):
                    if isinstance(event, RequestReceived):
                        streams[event.stream_id] = (dict(event.headers or []), bytearray())  # type: ignore[arg-type]
                    elif isinstance(event, DataReceived) and event.stream_id is not None:
                        streams[event.stream_id][1].extend(event.data or b"")
                        connection.acknowledge_received_data(
                            event.flow_controlled_length or 0, event.stream_id
                        )
                    elif isinstance(event, StreamEnded) and event.stream_id is not None:
                        headers, body = streams.pop(event.stream_id)
                        push = Push(headers.get(":path", ""), headers, bytes(body))
                        self._answer(connection, event.stream_id, push)
                        with self._received:
                            self.pushes.append(push)
                            self._received.notify_all()
                    elif isinstance(event, ConnectionTerminated):
                        sock.sendall(connection.data_to_send())
                        return
                sock.sendall(connection.data_to_send())


@contextmanager
def apns_stand_in() -> Iterator[ApnsStandIn]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stand_in = ApnsStandIn(port=server.getsockname()[1])
    stopping = threading.Event()

    def accept() -> None:
        while not stopping.is_set():
            try:
                sock, _address = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=stand_in.serve_connection, args=(sock,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        stopping.set()
        thread.join(timeout=5)
        server.close()


if __name__ == "__main__":  # for bench/wallet_pass.py: the stand-in in a process of its own
    import sys

    with apns_stand_in() as running:
        print(running.url, flush=True)
        sys.stdin.read()  # until the bench closes it
        print(len(running.pushes), flush=True)
