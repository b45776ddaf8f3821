"""The baseline of bench/web_read.py: a bare FastAPI application whose synchronous routes read
leads straight from the database with its driver (sqlite3 or psycopg), served by uvicorn as
``leadgate serve --workers 1`` serves leadgate (one process, the same log level).

    python bench/_bare_read.py DSN PORT

DSN is a SQLite file's path, or a PostgreSQL connection string (``postgresql://…``). The two
routes answer the bodies leadgate answers, less ``@odata.context``: the key, the $select'ed
columns and ``@odata.etag``, ordered by id for a page. No authentication, no security filter,
no metadata: what is left of a read when every layer above the driver and FastAPI is gone.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import threading
import uuid
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

API = "/api/data/v9.2"
_RECORD = re.compile(r"leads\(([0-9a-fA-F-]{36})\)\Z")
_COLUMN = re.compile(r"[a-z0-9_]+\Z")


def application(dsn: str) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    local = threading.local()  # one connection per thread of the pool: no lock, no pool
    postgresql = dsn.startswith("postgresql")
    mark = "%s" if postgresql else "?"

    def cursor() -> Any:
        if not hasattr(local, "connection"):
            if postgresql:
                import psycopg

                local.connection = psycopg.connect(dsn, autocommit=True)
            else:
                local.connection = sqlite3.connect(dsn, check_same_thread=False)
        return local.connection.cursor()

    def key(identifier: str) -> Any:
        return uuid.UUID(identifier) if postgresql else uuid.UUID(identifier).hex

    def record(names: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
        body: dict[str, Any] = {"@odata.etag": f'W/"{row[-1]}"', "leadid": str(row[0])}
        if not postgresql:
            body["leadid"] = str(uuid.UUID(row[0]))
        body.update(zip(names[1:], row[1:-1], strict=True))
        return body

    def columns(request: Request) -> list[str]:
        names = [n.strip() for n in request.query_params.get("$select", "").split(",")]
        if not all(_COLUMN.match(name) for name in names):
            raise HTTPException(400)
        return ["leadid", *(name for name in names if name != "leadid")]

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(API + "/{segment}")
    def read(request: Request, segment: str) -> JSONResponse:
        names = columns(request)
        select = f"SELECT {', '.join(names)}, versionnumber FROM lead"
        found = _RECORD.match(segment)
        if found:
            rows = cursor().execute(f"{select} WHERE leadid = {mark}", [key(found.group(1))])
            row = rows.fetchone()
            if row is None:
                raise HTTPException(404)
            return JSONResponse(record(names, row))
        if segment != "leads":
            raise HTTPException(404)
        top = int(request.query_params.get("$top", "5000"))
        rows = cursor().execute(f"{select} ORDER BY leadid LIMIT {mark}", [top])
        return JSONResponse({"value": [record(names, row) for row in rows.fetchall()]})

    return app


if __name__ == "__main__":
    uvicorn.run(application(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]),
                log_level="info")  # fmt: skip
