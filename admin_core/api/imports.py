"""Customers imports (merchant key): upload a CSV or XLSX file for a dry run, read its report, apply
it. The upload and the apply answer at once (202); `core run-imports` does the work, and reading
the import tells where it is."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..body_limits import takes_customers_file
from ..context import current_core
from ..models import CustomerImport, ImportStatus
from ..services import customer_import, import_queue
from ..services.customer_import import MAX_FILENAME
from .auth import authenticate, scope

blp = Blueprint("imports", __name__, description="Customers imports from CSV or XLSX files (merchant key)")
blp.before_request(authenticate)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE = {"schema": {"type": "string", "format": "binary"}}
RECENT = 50


class UploadQuerySchema(Schema):
    filename = fields.String(required=True, validate=validate.Length(1, MAX_FILENAME))


class ProblemSchema(Schema):
    column = fields.String(
        required=True, metadata={"description": "The column at fault; empty for the whole row"}
    )
    code = fields.String(required=True)
    message = fields.String(required=True)


class PreviewSchema(Schema):
    card = fields.String(required=True)
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    points = fields.Integer(required=True)
    credit = fields.Integer(required=True, metadata={"description": "Minor units of the merchant's currency"})


class RejectedRowSchema(Schema):
    line = fields.Integer(required=True, metadata={"description": "In the file; the header is line 1"})
    card = fields.String(required=True, metadata={"description": "The row's card number, as far as read"})
    code = fields.String(
        required=True, metadata={"description": "invalid_email, duplicate_card, …: the first problem's"}
    )
    message = fields.String(required=True)
    problems = fields.List(
        fields.Nested(ProblemSchema), metadata={"description": "Every rule the row breaks"}
    )


class ImportReportSchema(Schema):
    rows = fields.Integer(required=True, metadata={"description": "Rows read, header and blank lines aside"})
    created = fields.Integer(
        required=True, metadata={"description": "New cards: created, or before applying, to create"}
    )
    unchanged = fields.Integer(required=True, metadata={"description": "Cards the merchant has already"})
    rejected = fields.Integer(required=True)
    rejections = fields.List(
        fields.Nested(RejectedRowSchema), required=True, metadata={"description": "Every rejected row"}
    )
    unknown_columns = fields.List(fields.String(), required=True, metadata={"description": "Ignored"})
    preview = fields.List(
        fields.Nested(PreviewSchema),
        metadata={"description": "The first 20 new cards, as they would be created"},
    )


class ImportErrorSchema(Schema):
    code = fields.String(
        required=True, metadata={"description": "no_card_column, invalid_csv, import_timed_out, …"}
    )
    message = fields.String(required=True)


class CustomerImportSchema(Schema):
    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    status = fields.Enum(
        ImportStatus,
        by_value=True,
        required=True,
        metadata={"description": "queued_check → checked → queued_apply → applied; or failed (see error)"},
    )
    created_at = fields.DateTime(required=True)
    checked_at = fields.DateTime(allow_none=True, metadata={"description": "When the report was made"})
    applied_at = fields.DateTime(allow_none=True, metadata={"description": "None: a dry run so far"})
    failed_at = fields.DateTime(allow_none=True)
    report = fields.Nested(
        ImportReportSchema, allow_none=True, metadata={"description": "None until the file is checked"}
    )
    error = fields.Nested(ImportErrorSchema, allow_none=True, metadata={"description": "Why it failed"})


class ImportSummarySchema(CustomerImportSchema):
    class Meta:
        exclude = ("report",)


class ImportListSchema(Schema):
    imports = fields.List(fields.Nested(ImportSummarySchema), required=True)


@blp.route("", methods=["GET"])
@blp.response(200, ImportListSchema)
def list_imports() -> dict[str, Any]:
    """The merchant's latest imports (at most 50), newest first, each without its report: read
    the import for it."""
    with current_core().db.read() as session:
        return {"imports": customer_import.recent_imports(session, scope().merchant.id, RECENT)}


@blp.route("", methods=["POST"])
@takes_customers_file
@blp.arguments(UploadQuerySchema, location="query")
@blp.response(202, CustomerImportSchema)
@blp.doc(requestBody={"content": {"text/csv": FILE, XLSX: FILE, "application/octet-stream": FILE}})
def upload(query: dict[str, Any]) -> CustomerImport:
    """The request body is the file: CSV (UTF-8, `,` or `;`) or XLSX, a header line first. It is
    kept and its check queued (`queued_check`); nothing is imported. Read the import until it is
    `checked` (its report) or `failed`: then `error` is unsupported_file, invalid_xlsx,
    xlsx_too_large (a part unpacks beyond its limit), sheet_too_large (over 64 columns, 400,000
    lines or 10,000 blank ones), invalid_csv, no_card_column, duplicate_column, too_many_rows,
    import_timed_out or import_failed. Refused at once: 422 empty_file, file_too_large."""
    return import_queue.submit(
        current_core().db, scope().merchant.id, query["filename"], request.get_data(cache=False)
    )


@blp.route("/<int:import_id>", methods=["GET"])
@blp.response(200, CustomerImportSchema)
def read_import(import_id: int) -> CustomerImport:
    """404 import_not_found, also for another merchant's."""
    with current_core().db.read() as session:
        return customer_import.get_import(session, scope().merchant.id, import_id)


@blp.route("/<int:import_id>/apply", methods=["POST"])
@blp.response(202, CustomerImportSchema)
def apply_import(import_id: int) -> CustomerImport:
    """Queue the creation of the new cards the file holds (`queued_apply`), checked again when it
    runs; once `applied`, the report says what was done. Applying again changes nothing. 404
    import_not_found; 409 import_not_checked (its check waits, or it failed)."""
    return import_queue.queue_apply(current_core().db, scope().merchant.id, import_id)
