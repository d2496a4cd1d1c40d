"""Writes that must apply once: the `Idempotency-Key` header names the attempt, a replay answers
the first result with `Idempotent-Replayed: true`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy.orm import Session

from ..context import current_core
from ..errors import Invalid
from ..services import idempotency

MAX_KEY = 255
IDEMPOTENCY_DOC: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY},
        }
    ]
}


def run_once(
    merchant_id: int,
    fingerprint_path: str,
    payload: dict[str, Any],
    work: Callable[[Session], tuple[int, dict[str, Any]]],
) -> Response:
    fingerprint = idempotency.request_fingerprint("POST", fingerprint_path, payload)
    return answer(idempotency.run_once(current_core().db, merchant_id, idempotency_key(), fingerprint, work))


def idempotency_key() -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not 1 <= len(key) <= MAX_KEY:
        raise Invalid("idempotency_key_required", f"Send an Idempotency-Key header (1-{MAX_KEY} characters).")
    return key


def answer(outcome: idempotency.Outcome) -> Response:
    """The outcome of a write that applies once, the first time or replayed."""
    response = jsonify(outcome.body)
    response.status_code = outcome.status
    response.headers["Idempotent-Replayed"] = "true" if outcome.replayed else "false"
    return response
