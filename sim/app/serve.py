"""Serving the classroom: Solara's Starlette app behind a guard, on a socket bound first.

The guard answers only requests addressed to this machine by name (the ``Host``
header) and WebSocket connections opened by its own pages (the ``Origin`` header), as
Jupyter's server does: otherwise a web page the user visits could drive the
classroom from the user's browser (DNS rebinding, cross-site WebSockets). Names
beyond ``localhost``, ``127.0.0.1``, ``[::1]`` and the ``host:port`` it was started on
are allowed with ``orgsim app --allow-host NAME``.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

__all__ = ["Guard", "bind", "serve"]

LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def _hostname(netloc: str) -> tuple[str, int | None]:
    """``(name, port)`` of a Host header or an Origin's netloc (lowercase, no brackets)."""
    try:
        parts = urlsplit("//" + netloc)
        return (parts.hostname or "").lower(), parts.port
    except ValueError:  # a malformed port or bracket: allowed by nothing
        return "", None


class Guard:
    """ASGI middleware: refuse a request whose Host, or a WebSocket whose Origin, names
    another site (403, before the app sees it).

    ``allowed`` holds extra names (``name`` or ``name:port``; ``*`` allows any).
    """

    def __init__(self, app, *, host="127.0.0.1", port=8765, allowed=()):
        self.app = app
        self.own = f"{host.lower().strip('[]')}:{port}"
        self.allowed = {a.lower().strip() for a in allowed}

    def permits(self, netloc: str) -> bool:
        if "*" in self.allowed:
            return True
        name, port = _hostname(netloc)
        if not name:
            return False
        if name in LOOPBACK or f"{name}:{port}" == self.own:
            return True
        return name in self.allowed or f"{name}:{port}" in self.allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            headers = {k.lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            host = headers.get(b"host", "")
            origin = headers.get(b"origin")
            reason = None
            if not self.permits(host):
                reason = f"host {host!r} is not allowed (orgsim app --allow-host NAME)"
            elif (
                origin is not None
                and origin != "null"
                and not self.permits(urlsplit(origin).netloc)
            ):
                reason = f"origin {origin!r} is not allowed (orgsim app --allow-host NAME)"
            elif origin == "null" and scope["type"] == "websocket":
                reason = "an opaque origin is not allowed"
            if reason is not None:
                await _refuse(scope, receive, send, reason)
                return
        await self.app(scope, receive, send)


async def _refuse(scope, receive, send, reason):
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.close", "code": 1008})  # before accept: HTTP 403
        return
    body = f"orgsim app: {reason}\n".encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (raises OSError: in use, no such address)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def serve(sock, *, host, port, allowed=(), env=None):
    """Run the classroom on ``sock`` until stopped (Solara in production mode)."""
    os.environ.update(env or {})
    os.environ.update({"SOLARA_APP": "sim.app.page", "SOLARA_MODE": "production",
                       "SERVER_NAME": host, "SERVER_PORT": str(port)})  # fmt: skip
    import uvicorn
    from solara.server.starlette import app

    config = uvicorn.Config(Guard(app, host=host, port=port, allowed=allowed),
                            log_level="warning", lifespan="on")  # fmt: skip
    uvicorn.Server(config).run(sockets=[sock])
