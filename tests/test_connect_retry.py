"""Reaching a database: a server that answers a moment later is tried again (three attempts,
the pause doubling), one that refuses for good is not, and the last failure names the host
and never the password."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import closing, suppress

import pytest

from seedbed.errors import ConnectionFailed
from seedbed.sinks import open_sink
from seedbed.sinks.connection import ATTEMPTS
from tests.conftest import MYSQL_URL, PG_URL


def _free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _relay_later(port: int, target: tuple[str, int], after: float, stop: threading.Event) -> threading.Thread:
    """Listen on ``port`` only after ``after`` seconds, then pass every connection to ``target``
    (a server coming up late, in front of the real one)."""

    def pipe(a: socket.socket, b: socket.socket) -> None:
        with closing(a), closing(b), suppress(OSError):  # the other direction closed both
            while data := a.recv(65536):
                b.sendall(data)

    def serve() -> None:
        time.sleep(after)
        with closing(socket.create_server(("127.0.0.1", port))) as server:
            server.settimeout(0.2)
            while not stop.is_set():
                try:
                    client, _ = server.accept()
                except TimeoutError:
                    continue
                upstream = socket.create_connection(target)
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=pipe, args=(a, b), daemon=True).start()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return t


SERVERS = [
    pytest.param(PG_URL, 5432, marks=pytest.mark.postgres, id="postgres"),
    pytest.param(MYSQL_URL, 3306, marks=pytest.mark.mysql, id="mysql"),
]


def _at(url: str, port: int, new_port: int) -> str:
    return url.replace(f":{port}/", f":{new_port}/", 1)


@pytest.mark.parametrize("url, port", SERVERS)
def test_a_server_that_answers_a_moment_later_is_reached(url, port):
    late = _free_port()
    stop = threading.Event()
    _relay_later(late, ("127.0.0.1", port), after=0.8, stop=stop)
    try:
        t0 = time.monotonic()
        with closing(open_sink(_at(url, port, late))) as sink:
            assert sink.scalar("SELECT 1") == 1
        assert time.monotonic() - t0 >= 0.5  # the first attempt found nothing listening
    finally:
        stop.set()


@pytest.mark.parametrize("url, port", SERVERS)
def test_nothing_listening_is_tried_three_times_then_named(url, port):
    dead = _at(url, port, _free_port()).replace("@", ":s3cret-pw@", 1)
    t0 = time.monotonic()
    with pytest.raises(ConnectionFailed) as err:
        open_sink(dead)
    assert time.monotonic() - t0 >= 1.4  # 0.5 s, then 1 s
    assert f"tried {ATTEMPTS} times" in err.value.message and "127.0.0.1" in err.value.message
    assert "s3cret" not in str(err.value)


@pytest.mark.postgres
def test_a_refusal_that_will_not_change_fails_at_once():
    t0 = time.monotonic()
    with pytest.raises(ConnectionFailed) as err:
        open_sink(PG_URL.rsplit("/", 1)[0] + "/sb_no_such_database_here")
    assert time.monotonic() - t0 < 0.5 and "tried" not in err.value.message
