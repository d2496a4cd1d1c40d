"""The services' refusals, as the staff UI says them in the staff member's language."""

from __future__ import annotations

from flask_babel import LazyString, format_number
from flask_babel import lazy_gettext as _l

from ..errors import CoreError
from ..models import ImportStatus
from ..services.customer_workbook import MAX_BLANK_LINES, MAX_COLUMNS, MAX_LINES
from ..services.ledger import MAX_POINTS

REFUSALS = {
    "insufficient_points": _l("The card does not have enough points."),
    "insufficient_credit": _l("The card does not have enough prepaid credit."),
    "invalid_amount": _l("Enter a positive amount: whole points, or money with at most two decimals."),
    "voucher_not_found": _l("No voucher has this code."),
    "voucher_collected": _l("This voucher was collected already."),
    "voucher_cancelled": _l("This voucher was cancelled."),
    "voucher_expired": _l("This voucher has expired."),
    "unknown_store": _l("Not a store you work at."),
    "store_required": _l("Choose a store."),
    "card_not_found": _l("No card has this number."),
    "invalid_cursor": _l("This page is no longer in the list: start again from the first page."),
    "invalid_query": _l("Type at most 100 characters to search."),
    "invalid_filter": _l("Choose the filters from the lists."),
    "staff_exists": _l("An account with this e-mail address exists already."),
    "invalid_phone": _l("Enter a phone number of 6 to 20 digits; spaces, + and - are fine."),
    "invalid_email": _l("This is not a valid e-mail address."),
    "password_too_short": _l("This password cannot be used. Choose another one."),
    "not_yourself": _l("You cannot switch off your own account."),
    "own_level": _l("You cannot change your own level or store."),
    "low_contrast": _l("These colours are too close: text on them would be hard to read."),
    "invalid_origin": _l("Write each website as an origin, like https://www.example.com."),
    "invalid_locales": _l("Offer one or more of: en, it, bg, nb."),
    "invalid_default_locale": _l("The default language must be one of those offered."),
    "invalid_timezone": _l("Write a time zone like Europe/Rome."),
    "invalid_currency": _l("Write a currency code like EUR."),
    "invalid_coupon_code": _l("A coupon code is 1-32 letters, digits or dashes."),
    "invalid_period": _l("The last day must come after the first."),
    "invalid_logo": _l("This file is not a PNG, JPEG or SVG image."),
    "unsafe_svg": _l("This SVG holds scripts, links or styles: save it as plain drawing, or upload a PNG."),
    "logo_too_large": _l("This image is too large: at most 256 KB and 2000 pixels."),
    "invalid_picture": _l("This file is not a PNG, JPEG or SVG image."),
    "picture_too_large": _l("This image is too large: at most 256 KB and 2000 pixels."),
    "invalid_name": _l("A name is 1 to 200 characters."),
    "description_too_long": _l("A description is at most 2000 characters."),
    "invalid_stock": _l("From 0 to 1,000,000, or empty."),
    "invalid_limit": _l("From 1 to 1000, or empty."),
    "invalid_validity": _l("From 1 to 366 days."),
    "reward_not_found": _l("No such reward."),
    "out_of_stock": _l("This reward is sold out."),
    "limit_reached": _l("This card has taken this reward as often as it may."),
    # A customers file, and its rows.
    "unsupported_file": _l("This file is neither a CSV file (UTF-8) nor an Excel workbook (.xlsx)."),
    "invalid_csv": _l("This CSV file cannot be read."),
    "invalid_xlsx": _l("This Excel file cannot be read: it is damaged or not a workbook."),
    "xlsx_too_large": _l("This Excel file unpacks to too much to be a customers file."),
    "sheet_too_large": _l(
        "The sheet is too large for a customers file (at most %(columns)s columns and %(lines)s lines, "
        "%(blank)s of them blank): keep only the customers' rows and columns.",
        columns=MAX_COLUMNS,
        lines=LazyString(format_number, MAX_LINES),  # in the staff member's locale
        blank=LazyString(format_number, MAX_BLANK_LINES),
    ),
    "empty_file": _l("The file has no rows."),
    "file_too_large": _l("The file is too large."),
    "too_many_rows": _l("The file has too many rows: split it."),
    "duplicate_column": _l("Two columns have the same name."),
    "no_card_column": _l("The file has no card number column: name it card_number in the first line."),
    "missing_card_number": _l("No card number."),
    "invalid_card_number": _l("Not a card number: 4-32 letters or digits."),
    "duplicate_card": _l("This card number is on an earlier line too."),
    "invalid_first_name": _l("The first name is too long."),
    "invalid_last_name": _l("The last name is too long."),
    "invalid_gender": _l("Gender is female, male, other or undisclosed."),
    "invalid_birth_date": _l("Not a possible date of birth."),
    "invalid_language": _l("The language is en, it, bg or nb."),
    "invalid_points": _l(
        "Points are a whole number from 0 to %(most)s.", most=LazyString(format_number, MAX_POINTS)
    ),
    "invalid_credit": _l("Credit is an amount of money, like 12.50."),
    "invalid_consent": _l("A consent is yes or no."),
    "invalid_text": _l("The row holds control characters, which no text may have."),
    # What became of an import.
    "import_timed_out": _l(
        "It took too long; cards created before it stopped are kept. Upload it again to see what is left."
    ),
    "import_failed": _l("It could not be processed. Upload it again."),
    "import_not_checked": _l("This file has not been checked, or could not be."),
    # Apple Wallet credentials.
    "wrong_password": _l("The password does not open this file."),
    "certificate_expired": _l("This certificate has expired: make a new one on Apple's developer site."),
    "certificate_not_yet_valid": _l("This certificate is not valid yet."),
    "not_pass_type_certificate": _l("This is not a Pass Type ID certificate from Apple."),
    "key_mismatch": _l("This private key does not belong to the certificate."),
    "pass_type_mismatch": _l("The certificate was made for another Pass Type ID."),
    "team_mismatch": _l("The certificate belongs to another team."),
    "intermediate_required": _l("Add Apple's WWDR certificate that issued your certificate."),
    "intermediate_mismatch": _l("This WWDR certificate did not issue your certificate."),
    "malformed_p12": _l("This file is not a .p12 file."),
    "malformed_certificate": _l("This file is not a certificate (PEM or DER)."),
    "malformed_key": _l("This file is not a private key (PEM or DER), or its password is wrong."),
    "malformed_intermediate": _l("The WWDR file is not a certificate (PEM or DER)."),
    "malformed_apns_key": _l("This file is not an APNs auth key (.p8)."),
    "invalid_team_id": _l("A Team ID is 10 capital letters or digits."),
    "invalid_pass_type_id": _l("A Pass Type ID looks like pass.com.example.loyalty."),
    "invalid_apns_key_id": _l("An APNs key ID is 10 capital letters or digits."),
    "credentials_required": _l("Upload a .p12 file, or the certificate and its private key."),
}
IMPORT_STATUSES = {
    "queued_check": _l("checking…"),
    "checked": _l("not applied yet"),
    "queued_apply": _l("importing…"),
    "applied": _l("applied"),
    "failed": _l("failed"),
}


LEVELS = {"ADMIN": _l("Admin"), "MANAGER": _l("Manager"), "USER": _l("User")}


def level_name(level: str) -> str:
    return str(LEVELS.get(level, level))


def status_name(status: ImportStatus) -> str:
    return str(IMPORT_STATUSES[status.value])


def reason(code: str, message: str) -> str:
    """A refusal's code in the staff member's language; the service's own words for others."""
    return str(REFUSALS.get(code, _l("This cannot be done: %(reason)s", reason=message)))


def refusal(error: CoreError) -> str:
    return reason(error.code, error.message)
