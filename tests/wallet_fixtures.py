"""Apple Wallet test credentials: a local root, a WWDR stand-in, a Pass Type ID certificate (made
once per run: RSA keys take a while), uploaded for the demo merchant on request."""

from __future__ import annotations

import functools
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

from admin_core.context import Core
from admin_core.demo_wallet import Issued, LocalAuthority, apns_key_pem, local_authority
from admin_core.demo_wallet_google import service_account_file
from admin_core.services.merchants import get_merchant
from admin_core.services.wallet_credentials import AppleUpload, check_upload, save_credentials
from admin_core.services.wallet_google_credentials import check_upload as google_check
from admin_core.services.wallet_google_credentials import save_credentials as save_google

TEAM = "TEAM123456"
PASS_TYPE = "pass.test.demo.loyalty"
APNS_KEY_ID = "KEY1234567"


@functools.cache
def authority() -> LocalAuthority:
    return local_authority()


@functools.cache
def pass_certificate() -> Issued:
    return authority().pass_certificate(PASS_TYPE, TEAM)


@functools.cache
def apns_key() -> bytes:
    return apns_key_pem()


def p12(issued: Issued, password: str, *, with_intermediate: bool = True) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"pass",
        issued.key,
        issued.certificate,
        [authority().wwdr.certificate] if with_intermediate else None,
        BestAvailableEncryption(password.encode()),
    )


def pem_upload(issued: Issued | None = None, **changes: Any) -> AppleUpload:
    issued = issued or pass_certificate()
    fields: dict[str, Any] = {
        "team_id": TEAM,
        "pass_type_id": PASS_TYPE,
        "certificate": issued.certificate_pem,
        "private_key": issued.key_pem,
        "intermediate": authority().wwdr.certificate_pem,
        "apns_key": apns_key(),
        "apns_key_id": APNS_KEY_ID,
        **changes,
    }
    return AppleUpload(**fields)


def set_up_wallet(core: Core, slug: str = "demo") -> None:
    with core.db.read() as session:
        merchant_id = get_merchant(session, slug).id
    save_credentials(core.db, core.wallet_keys, merchant_id, check_upload(pem_upload()))


ISSUER = "3388000000012345678"
SERVICE_ACCOUNT = "wallet@demo-project.iam.gserviceaccount.com"


@functools.cache
def google_account() -> tuple[bytes, rsa.RSAPrivateKey]:
    """The service account's JSON key file and its private key."""
    return service_account_file(SERVICE_ACCOUNT)


def set_up_google_wallet(core: Core, slug: str = "demo") -> None:
    with core.db.read() as session:
        merchant_id = get_merchant(session, slug).id
    google = google_check(ISSUER, google_account()[0])
    save_google(core.db, core.wallet_keys, merchant_id, google)
