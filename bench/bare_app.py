"""The yardstick: a bare Flask endpoint doing one indexed SELECT on the same database."""

import os

from flask import Flask, jsonify
from sqlalchemy import text

from admin_core.database import make_engine

app = Flask(__name__)
engine = make_engine(os.environ["DATABASE_URL"])
QUERY = text("SELECT points, credit, discount FROM cards WHERE merchant_id = 1 AND number = :number")


@app.get("/card/<number>")
def card(number: str):  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        row = connection.execute(QUERY, {"number": number}).one()
    return jsonify(points=row.points, credit=row.credit, discount=row.discount)
