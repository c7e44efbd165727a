"""A TCP proxy on the loopback, in front of the test PostgreSQL server: it
counts round trips (each time the client speaks again after the server
answered), can add a delay each way (the benchmark's distant server) and
can cut every connection or stop listening (a dropped line, a server that
went away)."""

from __future__ import annotations

import socket
import threading
import time


class Proxy:
    def __init__(self, host: str, port: int, delay_s: float = 0.0) -> None:
        self.target = (host, port)
        self.delay_s = delay_s  # each way: a round trip costs twice this
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.turns = 0
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
            state = {"last": "server"}
            threading.Thread(target=self._pump, args=(client, server, state, "client"), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, state, "server"), daemon=True).start()

    def _pump(self, source: socket.socket, dest: socket.socket, state: dict[str, str], side: str) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                with self._lock:
                    if side == "client" and state["last"] == "server":
                        self.turns += 1
                    state["last"] = side
                if self.delay_s:
                    time.sleep(self.delay_s)
                dest.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, dest):
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
