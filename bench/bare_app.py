"""A bare endpoint doing the same single-row answer upsert as the app, with nothing else
(no questionnaire, no validation, no token lookup): the floor the app's save is compared to."""

from __future__ import annotations

import json
import os

from fastapi import FastAPI, Request
from sqlalchemy import text

from app.db import create_db_engine, write_session

engine = create_db_engine(os.environ["DATABASE_URL"])
app = FastAPI()

UPSERT = text(
    "INSERT INTO answer (diagnostic_id, question_id, value_json, updated_at) "
    "VALUES (:d, :q, :v, CURRENT_TIMESTAMP) "
    "ON CONFLICT (diagnostic_id, question_id) DO UPDATE SET value_json = excluded.value_json, "
    "updated_at = excluded.updated_at"
)


@app.put("/bare/{diagnostic_id}")
async def bare_upsert(diagnostic_id: int, request: Request):
    body = await request.json()
    with write_session(engine) as session:
        for question_id, value in body.items():
            session.execute(UPSERT, {"d": diagnostic_id, "q": question_id, "v": json.dumps(value)})
        session.commit()
    return {"saved": list(body)}
