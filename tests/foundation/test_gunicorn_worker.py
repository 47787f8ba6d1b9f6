"""The web server's worker (gis_portal/gunicorn_worker.py): gthread that answers the next request of
a kept-alive connection on the same thread when it comes within LINGER_MS, and only then."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.workers.gthread import ThreadWorker

from gis_portal.gunicorn_worker import LINGER_MS, LingeringThreadWorker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(monkeypatch):
    """The worker's handle() around a stand-in for gthread's: one 4-byte request read per call,
    kept alive unless it is b"last" or the client closed."""
    handled = []

    def one_request(self, conn):
        data = conn.sock.recv(4)
        handled.append(data)
        return bool(data) and data != b"last", conn

    monkeypatch.setattr(ThreadWorker, "handle", one_request)
    worker = LingeringThreadWorker.__new__(LingeringThreadWorker)  # no arbiter, sockets or config
    worker.alive, worker.futures = True, [object()]  # its own request is the only one in flight
    server, client = socket.socketpair()
    yield worker, SimpleNamespace(sock=server), client, handled
    server.close(), client.close()


def test_requests_sent_soon_are_answered_on_the_same_thread(worker):
    worker, conn, client, handled = worker
    client.sendall(b"one!two!")
    timer = threading.Timer(LINGER_MS / 4000, client.sendall, [b"thr!"])  # within the wait
    timer.start()
    started = time.perf_counter()
    keepalive, returned = worker.handle(conn)
    timer.join()
    assert handled == [b"one!", b"two!", b"thr!"] and (keepalive, returned) == (True, conn)
    assert time.perf_counter() - started >= LINGER_MS / 1000  # then it waited once more, in vain


def test_an_idle_connection_goes_back_to_the_poller_after_the_wait(worker):
    worker, conn, client, handled = worker
    client.sendall(b"one!")
    started = time.perf_counter()
    assert worker.handle(conn) == (True, conn) and handled == [b"one!"]
    assert LINGER_MS / 1000 <= time.perf_counter() - started < 0.5


def test_a_close_or_a_last_request_ends_it(worker):
    worker, conn, client, handled = worker
    client.sendall(b"one!last")
    assert worker.handle(conn) == (False, conn) and handled == [b"one!", b"last"]
    handled.clear()
    client.sendall(b"one!")
    client.shutdown(socket.SHUT_WR)
    assert worker.handle(conn) == (False, conn) and handled == [b"one!", b""]


@pytest.mark.parametrize("state", ["other request in flight", "shutting down"])
def test_it_does_not_wait_when_others_have_work_or_the_worker_stops(worker, state):
    worker, conn, client, handled = worker
    if state == "shutting down":
        worker.alive = False
    else:
        worker.futures.append(object())
    client.sendall(b"one!two!")
    assert worker.handle(conn) == (True, conn) and handled == [b"one!"]  # "two!" is the poller's


APP = b'''
def application(environ, start_response):
    body = environ["PATH_INFO"].encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
'''


def _get(sock: socket.socket, path: str) -> bytes:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data or not data.endswith(path.encode()):
        chunk = sock.recv(4096)
        assert chunk, "the server closed the connection"
        data += chunk
    return data


def test_gunicorn_serves_keep_alive_connections_with_the_project_configuration(tmp_path):
    (tmp_path / "tinyapp.py").write_bytes(APP)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "scripts/gunicorn.conf.py"), "-w", "1", "-b",
         f"127.0.0.1:{port}", "--chdir", str(tmp_path), "--pythonpath", str(ROOT), "tinyapp"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                first = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                time.sleep(0.1)
        second = socket.create_connection(("127.0.0.1", port), timeout=5)
        answers = [_get(first, "/a"), _get(first, "/b")]  # back to back: the lingering thread
        time.sleep(0.05)  # past the wait: through the poller
        answers += [_get(second, "/c"), _get(first, "/d"), _get(second, "/e")]
        assert [a.split(b"\r\n")[0] for a in answers] == [b"HTTP/1.1 200 OK"] * 5
        assert [a.rsplit(b"\r\n\r\n", 1)[1] for a in answers] == [b"/a", b"/b", b"/c", b"/d", b"/e"]
        first.close(), second.close()
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=10)
    assert b"Using worker: gis_portal.gunicorn_worker.LingeringThreadWorker" in errors
    assert b"Traceback" not in errors
