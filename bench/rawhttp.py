"""A minimal HTTP/1.1 client on one keep-alive socket, for the benchmarks that time a server, and
the same interface over Python's http.client (LibClient), which the benchmarks record for reference.

Request line, headers and body out; status, headers and a Content-Length body in, as wrk or a
browser's network stack would do it: Python's http.client spends ~0.2 ms per response in its header
parser (email.parser), which is the client's cost, not the server's. The connection is opened again
(and the request timed anew) if the server closed it while idle (keep-alive timeout).
"""
from __future__ import annotations

import http.client
import socket
import time


class RawClient:
    def __init__(self, port: int, host: str = "127.0.0.1"):
        self.address = (host, port)
        self.sock: socket.socket | None = None
        self.buf = b""

    def _connect(self) -> None:
        self.sock = socket.create_connection(self.address, timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _receive(self) -> bytes:
        data = self.sock.recv(1 << 16)
        if not data:
            raise ConnectionResetError("the server closed the connection")
        return data

    def _once(self, request: bytes) -> tuple[int, dict, bytes]:
        self.sock.sendall(request)
        buf = self.buf
        while b"\r\n\r\n" not in buf:
            buf += self._receive()
        head, _, buf = buf.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        length = int(headers["content-length"])
        while len(buf) < length:
            buf += self._receive()
        self.buf = buf[length:]
        return int(status_line.split()[1]), headers, buf[:length]

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str = "application/json") -> tuple[float, int, bytes]:
        """(milliseconds, status, body) of one request."""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.address[0]}\r\n"
        if body is not None:
            head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        request = (head + "\r\n").encode() + (body or b"")
        t0 = time.perf_counter()
        if self.sock is None:  # first request, or the server closed after its last answer (timed)
            self._connect()
        try:
            status, headers, data = self._once(request)
        except (ConnectionError, BrokenPipeError):  # idle past keep-alive: a new connection, timed anew
            self._connect()
            t0 = time.perf_counter()
            status, headers, data = self._once(request)
        elapsed = (time.perf_counter() - t0) * 1000
        if headers.get("connection", "").lower() == "close":
            self.sock.close()
            self.sock = None
        return elapsed, status, data


class LibClient:
    """RawClient's interface through http.client (its own header parsing included in the time)."""

    def __init__(self, port: int, host: str = "127.0.0.1"):
        self.host = host
        self.conn = http.client.HTTPConnection(host, port, timeout=60)

    def _once(self, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, bytes]:
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str = "application/json") -> tuple[float, int, bytes]:
        headers = {"Host": self.host, **({"Content-Type": content_type} if body is not None else {})}
        t0 = time.perf_counter()
        try:
            status, data = self._once(method, path, body, headers)
        except (http.client.RemoteDisconnected, ConnectionError):  # closed while idle: again, timed anew
            self.conn.close()
            t0 = time.perf_counter()
            status, data = self._once(method, path, body, headers)
        return (time.perf_counter() - t0) * 1000, status, data
