"""A TCP proxy on the loopback, in front of the test PostgreSQL server: it
counts round trips (each time the client speaks again after the server's
answer reached it; exact with a delay, which leaves the client time to
send a whole pipeline before any answer arrives), can add a delay each way
(the benchmark's distant server) and can cut every connection or stop
listening (a dropped line, a server that went away)."""

from __future__ import annotations

import queue
import socket
import threading
import time


class Proxy:
    def __init__(self, host: str, port: int, delay_s: float = 0.0) -> None:
        self.target = (host, port)
        self.delay_s = delay_s  # each way: a round trip costs twice this
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.turns = 0  # in all connections
        self.connections: list[dict] = []  # per connection, in the order opened: its "turns"
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self._open:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self._open:
                client.close()
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._sockets += [client, server]
            state = {"last": "server", "turns": 0}
            with self._lock:
                self.connections.append(state)
            threading.Thread(target=self._pump, args=(client, server, state, "client"), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, state, "server"), daemon=True).start()

    def _pump(self, source: socket.socket, dest: socket.socket, state: dict[str, str], side: str) -> None:
        """Forward what ``source`` sends; with a delay, each chunk leaves
        ``delay_s`` after it arrived (a link of fixed latency: chunks in
        flight together are not delayed one after another)."""
        outbox: queue.SimpleQueue[tuple[float, bytes] | None] = queue.SimpleQueue()
        if self.delay_s:
            threading.Thread(target=self._deliver, args=(outbox, dest, state, side), daemon=True).start()
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if side == "client":
                    with self._lock:
                        if state["last"] == "server":
                            self.turns += 1
                            state["turns"] += 1
                        state["last"] = side
                if self.delay_s:
                    outbox.put((time.monotonic() + self.delay_s, data))
                else:
                    self._delivered(state, side)
                    dest.sendall(data)
        except OSError:
            pass
        finally:
            if self.delay_s:
                outbox.put(None)
            else:
                self._close(source, dest)

    def _deliver(self, outbox: queue.SimpleQueue, dest: socket.socket, state: dict, side: str) -> None:  # type: ignore[type-arg]
        try:
            while (item := outbox.get()) is not None:
                due, data = item
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)  # the link's latency, not a wait for something
                self._delivered(state, side)
                dest.sendall(data)
        except OSError:
            pass
        self._close(dest)

    def _delivered(self, state: dict, side: str) -> None:
        """The server's answer is about to reach the client: whatever the
        client sends from now on is a new round trip. (Marked as it is
        delivered, before the client can answer it, and with a delay well
        after the client sent the rest of a pipeline.)"""
        if side == "server":
            with self._lock:
                state["last"] = "server"

    @staticmethod
    def _close(*sockets: socket.socket) -> None:
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        """Drop every open connection (the next statement finds it gone)."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def stop(self) -> None:
        """Stop listening and drop everything: the server is unreachable."""
        self._open = False
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in accept (close alone does not)
        except OSError:
            pass
        self.listener.close()
        self.cut()

    def url(self, server_url: str) -> str:
        """``server_url`` with its host and port replaced by the proxy's."""
        scheme, _, rest = server_url.partition("://")
        authority, slash, tail = rest.partition("/")
        userinfo = authority.rpartition("@")[0]
        return f"{scheme}://{userinfo + '@' if userinfo else ''}127.0.0.1:{self.port}{slash}{tail}"
