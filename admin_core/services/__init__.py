"""Core services: plain functions over the database that own their transactions."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
