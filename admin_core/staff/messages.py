"""The services' refusals, as the staff UI says them in the staff member's language."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import LazyString, format_number
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from loyalty_common.error_codes import Code

from ..errors import CoreError, InvalidAtFields
from ..models import ImportStatus
from ..services.customer_workbook import MAX_BLANK_LINES, MAX_COLUMNS, MAX_LINES
from ..services.figures import MAX_DAYS
from ..services.ledger import MAX_POINTS
from ..services.signup import MIN_AGE
from .forms import say_refusal

REFUSALS = {
    Code.INSUFFICIENT_POINTS: _l("The card does not have enough points."),
    "insufficient_credit": _l("The card does not have enough prepaid credit."),
    "invalid_amount": _l("Enter a positive amount: whole points, or money with at most two decimals."),
    "voucher_not_found": _l("No voucher has this code."),
    "voucher_collected": _l("This voucher was collected already."),
    "voucher_cancelled": _l("This voucher was cancelled."),
    "voucher_expired": _l("This voucher has expired."),
    "unknown_store": _l("Not a store you work at."),
    "pass_used_up": _l("This pass has no entries left."),
    "pass_expired": _l("This pass has expired."),
    "pass_not_started": _l("This pass is not valid yet."),
    "pass_not_found": _l("No such pass on this card."),
    "pass_kind_off_sale": _l("This pass is not on sale."),
    "pass_kind_not_found": _l("No such pass is on sale."),
    "invalid_price": _l("Enter a price above zero."),
    "coupon_used_up": _l("This card has used this coupon already."),
    "coupon_not_found": _l("This card has no such coupon to use now."),
    "stamp_card_not_found": _l("No such stamp card."),
    "stamp_card_inactive": _l("This stamp card is switched off: switch it on to give stamps."),
    "invalid_count": _l("Give 1 to 100 stamps at once."),
    "invalid_stamp_name": _l("Say what earns a stamp in 1 to 64 characters."),
    "invalid_stamps_needed": _l("From 2 to 100 stamps."),
    "invalid_uses": _l("A coupon is used 1 to 1,000 times per customer, or with no limit."),
    "period_reversed": _l("The period ends before it starts."),
    "period_too_long": _l("Choose a period of at most %(days)s days.", days=MAX_DAYS),
    "store_required": _l("Choose a store."),
    "card_not_found": _l("No card has this number."),
    "invalid_cursor": _l("This page is no longer in the list: start again from the first page."),
    "invalid_query": _l("Type at most 100 characters to search."),
    "invalid_filter": _l("Choose the filters from the lists."),
    "staff_exists": _l("An account with this e-mail address exists already."),
    "invalid_phone": _l("Enter a phone number of 6 to 20 digits; spaces, + and - are fine."),
    "invalid_email": _l("This is not a valid e-mail address."),
    Code.PASSWORD_TOO_SHORT: _l("This password cannot be used. Choose another one."),
    "not_yourself": _l("You cannot switch off your own account."),
    "already_joined": _l("This person has joined already: send a reset link instead."),
    "not_joined": _l("This person has not joined yet: send the invitation again instead."),
    "member_switched_off": _l("This account is switched off: switch it on first."),
    "account_switched_off": _l("This account is switched off: ask your admin to switch it on."),
    "wrong_code": _l("This code is not the one your app shows."),
    "code_used": _l("This code was just used; wait for the next one."),
    "login_again": _l("This account changed since you typed its password: log in again."),
    "own_level": _l("You cannot change your own level or store."),
    "low_contrast": _l("These colours are too close: text on them would be hard to read."),
    "invalid_origin": _l("Write each website as an origin, like https://www.example.com."),
    "invalid_locales": _l("Offer one or more of: en, it, bg, nb."),
    "invalid_default_locale": _l("The default language must be one of those offered."),
    "invalid_timezone": _l("Write a time zone like Europe/Rome."),
    "invalid_currency": _l("Write a currency code like EUR."),
    "currency_in_use": _l("Cards have balances and operations in this currency already: it cannot change."),
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
    # The customer card's changes.
    "card_blocked": _l("This card is blocked: unblock it on its customer card first."),
    "card_replaced": _l("This card was replaced by a new one: use the new card."),
    "card_exists": _l("A card with this number exists already."),
    "card_numbers_exhausted": _l("No free card number was found: try again."),
    "same_number": _l("The new card needs a number of its own."),
    "email_taken": _l("Another customer has this e-mail address."),
    "too_young": _l("A card holder is at least %(age)s years old.", age=MIN_AGE),
    "customer_erased": _l("This customer deleted their account: nothing is left to change."),
    "empty_adjustment": _l("Change the points, the credit or both."),
    "invalid_points_change": _l("Whole points, up to 1,000,000; a minus takes them."),
    "invalid_credit_change": _l("An amount of money like 5.00, up to 100,000.00; a minus takes it."),
    "reason_required": _l("Say why the balances change."),
    "reason_too_long": _l("A reason is at most 200 characters."),
    # Stores and store groups.
    "store_inactive": _l("This store is switched off: nothing can be recorded at it."),
    "invalid_store_code": _l("A store code is 1 to 32 letters, digits, - or _."),
    "store_exists": _l("A store with this code exists already."),
    "store_not_found": _l("No such store."),
    "address_too_long": _l("An address is at most 500 characters."),
    "invalid_hours": _l("Write the hours like 09:00-13:00, 15:00-19:30, or leave the day empty: closed."),
    "invalid_time": _l("Write times as hours and minutes, like 09:00 or 19:30 (24:00 for midnight)."),
    "closes_before_opening": _l("A period closes after it opens; past midnight, close at 24:00."),
    "too_many_periods": _l("At most 4 periods a day."),
    "overlapping_periods": _l("The periods of this day overlap."),
    "invalid_day": _l("The days are Monday to Sunday."),
    "invalid_latitude": _l("A latitude is a number of degrees from -90 to 90, like 45.4642."),
    "invalid_longitude": _l("A longitude is a number of degrees from -180 to 180, like 9.19."),
    "coordinates_pair": _l("Give both the latitude and the longitude, or neither."),
    "store_group_exists": _l("A group with this name exists already."),
    "store_group_not_found": _l("No such store group."),
    "unknown_store_group": _l("No such store group."),
    "empty_store_group": _l("The groups chosen have no stores yet: choose stores, or add some to the group."),
    "too_many_stores": _l("A group holds at most 1000 stores."),
    # Customer groups.
    "customer_group_exists": _l("A group with this name exists already."),
    "customer_group_not_found": _l("No such customer group."),
    "unknown_group": _l("No such customer group."),
    "group_in_use": _l(
        "Coupons or campaigns are for this group: choose another group for them, or delete them, first."
    ),
    "coupon_not_for_customer": _l("This coupon is for a customer group this customer is not in."),
    "group_not_manual": _l("This group holds whoever its search finds: change the search instead."),
    # Hotspots.
    "hotspot_exists": _l("A hotspot with this id exists already."),
    "hotspot_not_found": _l("No such hotspot."),
    "invalid_hotspot_id": _l("A hotspot id is 1 to 64 lower-case letters, digits and dashes."),
    "invalid_session_minutes": _l("From 1 minute to 30 days (43,200 minutes)."),
    "invalid_rate": _l("From 1 to 10,000,000 kbit/s, or empty: no limit."),
    "invalid_quota": _l("From 1 to 10,000,000 MB, or empty: no limit."),
    "invalid_retention": _l("From 1 to 3650 days."),
    "invalid_landing_url": _l("An http(s) address of up to 500 characters, or empty."),
    "invalid_version": _l("A version is 1 to 32 characters."),
    # The program: purchases, voids, tiers, campaigns, rates.
    "no_points": _l("This purchase earns no points: the amount is too small for the rate."),
    "too_many_points": _l("One purchase earns at most 1,000,000 points: check the amount."),
    "already_voided": _l("This operation has been voided already."),
    "not_voidable": _l(
        "This operation cannot be voided: a reward's points come back by cancelling its voucher."
    ),
    "void_below_zero": _l(
        "This cannot be voided: the points or credit it gave have been used since, "
        "so the card would go below zero."
    ),
    "operation_not_found": _l("No such operation on this card."),
    "invalid_multiplier": _l("Enter a multiplier from 1 to 10, with at most two decimals, like 1.5."),
    "invalid_threshold": _l("From 0 to 1,000,000 points."),
    "tier_exists": _l("Another tier starts at this number of points."),
    "too_many_tiers": _l("A program has at most 20 tiers."),
    "benefits_too_long": _l("Benefits are at most 2000 characters."),
    "campaign_started": _l("This campaign has started, so it cannot be deleted: set its last day instead."),
    "invalid_points_rate": _l("From 0 to 1000, or empty."),
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
    # Google Wallet credentials.
    "invalid_issuer_id": _l("An Issuer ID is the number the Google Pay & Wallet Console shows."),
    "service_account_required": _l("Upload the service account's JSON key file."),
    "malformed_service_account": _l("This file is not JSON: upload the key file as Google gave it."),
    "not_service_account": _l("This JSON file is not a service account key."),
    "service_account_key_unreadable": _l("The private key in this file cannot be read."),
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


# Refusals that are about one field of the form that was sent.
CONFLICT_FIELDS = {
    "store_exists": "code",
    "store_group_exists": "name",
    "customer_group_exists": "name",
    "hotspot_exists": "public_id",
    "invalid_hotspot_id": "public_id",
    "unknown_store": "store",
}


def at_fields(form: FlaskForm, error: CoreError, names: Mapping[str, str] | None = None) -> None:
    """A service's refusal said at the field it is about (`names`: the service's field names
    that the form calls otherwise), or above the form."""
    if isinstance(error, InvalidAtFields):
        said = {name: reason(code, message) for name, (code, message) in error.problems.items()}
    else:
        said = {CONFLICT_FIELDS.get(error.code, ""): refusal(error)}
    for name, message in said.items():
        target = (names or {}).get(name, name)
        say_refusal(form, form[target] if target and target in form else None, message)
