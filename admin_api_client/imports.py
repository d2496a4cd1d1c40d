"""Customers imports: a CSV or XLSX file uploaded for a dry run, its report, then the apply. The
core answers both at once and does the work in its `run-imports` workers: `wait` polls the import
until it is done."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from .client import CoreClient

# Sending a file of up to 32 MB may take longer than a page's five seconds on a slow link.
UPLOAD_TIMEOUT = httpx.Timeout(120.0, connect=2.0)
QUEUED = ("queued_check", "queued_apply")


@dataclass(frozen=True)
class Problem:
    column: str  # empty when the whole row is at fault
    code: str
    message: str


@dataclass(frozen=True)
class Rejection:
    line: int  # in the file; the header is line 1
    card: str  # the row's card number, as far as it could be read
    code: str  # invalid_email, duplicate_card, unknown_store…: the first problem's
    message: str
    problems: tuple[Problem, ...]  # every rule the row breaks

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rejection:
        problems = data.get("problems") or [{"column": "", "code": data["code"], "message": data["message"]}]
        return cls(
            line=data["line"],
            card=data["card"],
            code=data["code"],
            message=data["message"],
            problems=tuple(Problem(**each) for each in problems),
        )


@dataclass(frozen=True)
class NewCardPreview:
    card: str
    first_name: str | None
    last_name: str | None
    email: str | None
    points: int
    credit: int  # minor units


@dataclass(frozen=True)
class ImportReport:
    rows: int
    created: int  # new cards: created, or before the apply, to create
    unchanged: int  # cards the merchant had already
    rejected: int
    rejections: tuple[Rejection, ...]  # every rejected row
    unknown_columns: tuple[str, ...]  # ignored
    preview: tuple[NewCardPreview, ...]  # the first new cards, as they would be created

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportReport:
        return cls(
            rows=data["rows"],
            created=data["created"],
            unchanged=data["unchanged"],
            rejected=data["rejected"],
            rejections=tuple(Rejection.from_json(each) for each in data["rejections"]),
            unknown_columns=tuple(data["unknown_columns"]),
            preview=tuple(NewCardPreview(**each) for each in data.get("preview", ())),
        )


@dataclass(frozen=True)
class ImportFailure:
    code: str  # no_card_column, invalid_csv, import_timed_out…
    message: str


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class CustomerImport:
    id: int
    filename: str
    status: str  # queued_check, checked, queued_apply, applied, failed
    created_at: datetime
    applied_at: datetime | None  # None: a dry run so far
    report: ImportReport | None  # None until the file is checked
    error: ImportFailure | None  # why it failed

    @property
    def done(self) -> bool:
        return self.status not in QUEUED

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CustomerImport:
        return cls(
            id=data["id"],
            filename=data["filename"],
            status=data["status"],
            created_at=datetime.fromisoformat(data["created_at"]),
            applied_at=_when(data.get("applied_at")),
            report=ImportReport.from_json(data["report"]) if data.get("report") else None,
            error=ImportFailure(**data["error"]) if data.get("error") else None,
        )


class ImportCalls:
    """`client.imports`."""

    def __init__(self, client: CoreClient) -> None:
        self._client = client

    def upload(self, filename: str, data: bytes) -> CustomerImport:
        """The file kept and its dry run queued (`queued_check`; nothing imported). Invalid at once
        for `empty_file` or `file_too_large`; any other trouble with the file ends the import
        `failed`, its `error` saying why (see `wait`)."""
        path = f"/customers/imports?{urlencode({'filename': filename})}"
        return CustomerImport.from_json(
            self._client._request("POST", path, content=data, timeout=UPLOAD_TIMEOUT).json()
        )

    def get(self, import_id: int) -> CustomerImport:
        """NotFound (`import_not_found`) for another merchant's import."""
        return CustomerImport.from_json(
            self._client._request("GET", f"/customers/imports/{import_id}").json()
        )

    def apply(self, import_id: int) -> CustomerImport:
        """Queue the import of the new cards (`queued_apply`; see `wait`); applying again changes
        nothing. Conflict (`import_not_checked`) while its check waits, or once it failed."""
        return CustomerImport.from_json(
            self._client._request("POST", f"/customers/imports/{import_id}/apply").json()
        )

    def wait(self, import_id: int, timeout: float = 900.0, interval: float = 2.0) -> CustomerImport:
        """The import once it is no longer queued (`checked`, `applied` or `failed`), asked every
        `interval` seconds; TimeoutError after `timeout` seconds."""
        give_up = time.monotonic() + timeout
        while not (found := self.get(import_id)).done:
            if time.monotonic() + interval > give_up:
                raise TimeoutError(f"import {import_id} is still {found.status}")
            time.sleep(interval)
        return found
