"""Customers imports: a CSV or XLSX file uploaded for a dry run, its report, then the apply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from .client import CoreClient

# Checking or applying 100,000 rows takes seconds to a quarter of a minute: a page's five seconds
# would give up on work the core goes on doing. Applying again is safe: it answers the same report.
IMPORT_TIMEOUT = httpx.Timeout(120.0, connect=2.0)


@dataclass(frozen=True)
class Rejection:
    line: int  # in the file; the header is line 1
    card: str  # the row's card number, as far as it could be read
    code: str  # invalid_email, duplicate_card, unknown_store…
    message: str


@dataclass(frozen=True)
class ImportReport:
    rows: int
    created: int  # new cards: created, or before the apply, to create
    unchanged: int  # cards the merchant had already
    rejected: int
    rejections: tuple[Rejection, ...]  # every rejected row
    unknown_columns: tuple[str, ...]  # ignored

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportReport:
        return cls(
            rows=data["rows"],
            created=data["created"],
            unchanged=data["unchanged"],
            rejected=data["rejected"],
            rejections=tuple(Rejection(**each) for each in data["rejections"]),
            unknown_columns=tuple(data["unknown_columns"]),
        )


@dataclass(frozen=True)
class CustomerImport:
    id: int
    filename: str
    created_at: datetime
    applied_at: datetime | None  # None: a dry run so far
    report: ImportReport

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CustomerImport:
        applied_at = data.get("applied_at")
        return cls(
            id=data["id"],
            filename=data["filename"],
            created_at=datetime.fromisoformat(data["created_at"]),
            applied_at=datetime.fromisoformat(applied_at) if applied_at else None,
            report=ImportReport.from_json(data["report"]),
        )


class ImportCalls:
    """`client.imports`."""

    def __init__(self, client: CoreClient) -> None:
        self._client = client

    def upload(self, filename: str, data: bytes) -> CustomerImport:
        """The dry run of a file (nothing imported yet). Invalid when the file cannot be used at all:
        `empty_file`, `file_too_large`, `unsupported_file`, `invalid_xlsx`, `xlsx_too_large`,
        `sheet_too_large`, `invalid_csv`, `no_card_column`, `duplicate_column`, `too_many_rows`."""
        path = f"/customers/imports?{urlencode({'filename': filename})}"
        return CustomerImport.from_json(
            self._client._request("POST", path, content=data, timeout=IMPORT_TIMEOUT).json()
        )

    def get(self, import_id: int) -> CustomerImport:
        """NotFound (`import_not_found`) for another merchant's import."""
        return CustomerImport.from_json(
            self._client._request("GET", f"/customers/imports/{import_id}").json()
        )

    def apply(self, import_id: int) -> CustomerImport:
        """Import the new cards; again, it changes nothing and answers the same report."""
        answer = self._client._request(
            "POST", f"/customers/imports/{import_id}/apply", timeout=IMPORT_TIMEOUT
        )
        return CustomerImport.from_json(answer.json())
