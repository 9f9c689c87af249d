"""The baseline: a bare ASGI app answering each benchmarked request with fixed bytes, on the
mock's server stack (uvicorn, uvloop, httptools), so only the mock's own work differs.

Usage: python benchmarks/bare_app.py RESPONSES.json PORT
RESPONSES.json maps "METHOD /path" (without query), or "METHOD *" for any path, to the exact
JSON body to answer with.
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


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        application = build(json.load(handle))
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
