"""``orgsim app``'s server: its port checked in one line, and only its own pages answered."""

import asyncio
import http.client
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import wait_for_port

BIN = Path(sys.executable).parent


def _app(*args, timeout=60):
    return subprocess.run([str(BIN / "orgsim"), "app", *args], capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip


@pytest.fixture
def assets(tmp_path):
    """An assets folder that passes the check (the page's files are not needed here)."""
    from sim.app.cli import ASSETS

    for name, version in ASSETS:
        (tmp_path / "assets" / f"{name}@{version}").mkdir(parents=True)
    return tmp_path / "assets"


@pytest.mark.parametrize("port", ["99999", "0", "-1", "http"])
def test_a_port_out_of_range_is_one_line(port):
    done = _app("--port", port)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "1 to 65535" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not done.stdout


def test_a_port_in_use_is_one_line(assets):
    pytest.importorskip("solara")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = _app("--port", str(port), "--assets", str(assets))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "is in use" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def _call(guard, scope):
    """What a guarded app sends for ``scope``, and whether the app behind it was reached."""
    reached, sent = [], []

    async def app(scope, receive, send):
        reached.append(scope["type"])

    async def receive():
        return {"type": "websocket.connect"}

    async def send(message):
        sent.append(message)

    guard.app = app
    asyncio.run(guard(scope, receive, send))
    return bool(reached), sent


def _scope(kind, host, origin=None):
    headers = [(b"host", host.encode())] + ([(b"origin", origin.encode())] if origin else [])
    return {"type": kind, "headers": headers, "path": "/"}


def test_the_guard_answers_only_this_machine_and_its_own_pages():
    from sim.app.serve import Guard

    guard = Guard(None, host="127.0.0.1", port=8765)
    for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765", "LOCALHOST"):
        assert _call(guard, _scope("http", host))[0], host
    for host in ("evil.example", "evil.example:8765", "127.0.0.1.evil.example", ""):
        reached, sent = _call(guard, _scope("http", host))
        assert not reached and sent[0]["status"] == 403, host
    # A WebSocket opened by another site's page (Origin), to this machine's address.
    reached, sent = _call(guard, _scope("websocket", "127.0.0.1:8765", "http://evil.example"))
    assert not reached and sent == [{"type": "websocket.close", "code": 1008}]
    assert _call(guard, _scope("websocket", "127.0.0.1:8765", "http://127.0.0.1:8765"))[0]
    assert _call(guard, _scope("websocket", "localhost:8765"))[0]  # no Origin: not a browser
    # Allowed by the teacher, by name.
    other = Guard(None, host="0.0.0.0", port=8765, allowed=["classroom.local"])
    assert _call(other, _scope("websocket", "classroom.local:8765", "http://classroom.local:8765"))[
        0
    ]
    assert not _call(other, _scope("http", "evil.example"))[0]
    assert _call(Guard(None, allowed=["*"]), _scope("http", "evil.example"))[0]


def test_the_server_refuses_another_host(assets):
    pytest.importorskip("solara")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([str(BIN / "orgsim"), "app", "--port", str(port), "--assets",
                                str(assets)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})  # fmt: skip
    try:
        wait_for_port(port)

        def status(host):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/", headers={"Host": host})
            response = connection.getresponse()
            body = response.read().decode(errors="replace")
            connection.close()
            return response.status, body

        assert status(f"127.0.0.1:{port}")[0] == 200
        code, body = status("evil.example")
        assert code == 403 and "--allow-host" in body
    finally:
        process.terminate()
        process.wait(timeout=20)
