"""The baseline: a bare ASGI app answering each benchmarked request with fixed bytes, on the
mock's server stack (uvicorn, uvloop, httptools), so only the mock's own work differs.

Usage: python benchmarks/bare_app.py RESPONSES.json PORT [--starlette]
RESPONSES.json maps "METHOD /path" (without query), or "METHOD *" for any path, to the exact
JSON body to answer with.

``--starlette`` serves the same answers as routes of a bare Starlette app (one ``Route`` per
entry, the endpoint reading the body and returning the bytes): a bare route as the framework
the mock's extra ships with writes it, the baseline the issue's own figures were measured on.
Without it, one ASGI callable with no framework at all: the least any server can do.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn

Message = MutableMapping[str, Any]
App = Callable[[Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


def build(responses: dict[str, str]) -> App:
    encoded = {key: body.encode() for key, body in responses.items()}

    async def app(
        scope: Message, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
    ) -> None:
        if scope["type"] != "http":
            return
        method = scope["method"]
        body = encoded.get(f"{method} {scope['path']}") or encoded.get(f"{method} *") or b"{}"
        if method in ("POST", "PATCH"):
            while (await receive()).get("more_body"):
                pass
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def build_starlette(responses: dict[str, str]) -> App:
    """The same answers as ``build``, each a route of a bare Starlette app."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    def endpoint(body: bytes) -> Callable[[Request], Awaitable[Response]]:
        async def answer(request: Request) -> Response:
            await request.body()
            return Response(body, media_type="application/json")

        return answer

    exact, anywhere = [], []
    for key, body in responses.items():
        method, path = key.split(" ", 1)
        if path == "*":
            anywhere.append(Route("/{rest:path}", endpoint(body.encode()), methods=[method]))
        else:
            exact.append(Route(path, endpoint(body.encode()), methods=[method]))
    return Starlette(routes=exact + anywhere)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        responses = json.load(handle)
    application = build_starlette(responses) if "--starlette" in sys.argv[3:] else build(responses)
    uvicorn.run(
        application,
        host="127.0.0.1",
        port=int(sys.argv[2]),
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
