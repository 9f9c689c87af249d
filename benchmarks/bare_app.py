"""The baseline: a bare Starlette route answering each benchmarked path with fixed bytes.

Usage: python benchmarks/bare_app.py RESPONSES.json PORT
RESPONSES.json maps a path (without query) to the exact JSON body to answer with.
"""

from __future__ import annotations

import json
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def build(responses: dict[str, str]) -> Starlette:
    encoded = {path: body.encode() for path, body in responses.items()}

    async def answer(request: Request) -> Response:
        body = encoded.get(request.url.path)
        if body is None:
            return Response(b"{}", 404, media_type="application/json")
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/{path:path}", answer)])


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        app = build(json.load(handle))
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
