"""A merchant's Apple Wallet credentials: checked on upload (each refusal with its own code), stored
with the private keys sealed, read back for signing and pushing, shown masked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..database import Database
from ..errors import Invalid, NotFound
from ..models import WalletSettings
from . import utcnow
from .wallet_keys import UnreadableMail, WalletKeys

PASS_TYPE_OID = x509.ObjectIdentifier("1.2.840.113635.100.6.1.16")  # Apple's Pass Type ID marker
UID_OID = x509.ObjectIdentifier("0.9.2342.19200300.100.1.1")  # the pass type id, in the subject
TEAM_ID = re.compile(r"^[A-Z0-9]{10}$")
PASS_TYPE_ID = re.compile(r"^pass(\.[A-Za-z0-9-]{1,63}){2,6}$")
MAX_FILE = 64 * 1024
MASK = "********"

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class AppleUpload:
    """What the admin sends: a .p12 with its password, or the certificate and its key (PEM or
    DER); the WWDR intermediate unless the .p12 holds it; optionally the APNs .p8 key."""

    team_id: str
    pass_type_id: str
    p12: bytes | None = None
    password: str = ""
    certificate: bytes | None = None
    private_key: bytes | None = None
    intermediate: bytes | None = None
    apns_key: bytes | None = None
    apns_key_id: str = ""
    apns_team_id: str = ""  # empty: the pass's team


@dataclass(frozen=True)
class ApnsKey:
    key_id: str
    team_id: str
    key: ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class AppleCredentials:
    team_id: str
    pass_type_id: str
    certificate: x509.Certificate
    intermediate: x509.Certificate
    private_key: SigningKey
    apns: ApnsKey | None  # None: pushes authenticate with the Pass Type ID certificate


def _refuse(code: str, message: str) -> Invalid:
    return Invalid(code, message)


def _sized(data: bytes | None, what: str) -> bytes | None:
    if data is not None and len(data) > MAX_FILE:
        raise _refuse(f"malformed_{what}", f"This {what.replace('_', ' ')} file is too large to be one.")
    return data or None


def _certificate(data: bytes, code: str) -> x509.Certificate:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise _refuse(code, "This file is not an X.509 certificate (PEM or DER).") from None


def _private_key(data: bytes, password: str, code: str, *, checked: bool = False) -> SigningKey:
    """`checked`: a key this service stored after checking it; OpenSSL's RSA check (some 50 ms)
    is not made again at every use."""
    secret = password.encode() or None
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_private_key(data, secret, unsafe_skip_rsa_key_validation=checked)
        else:
            key = serialization.load_der_private_key(data, secret, unsafe_skip_rsa_key_validation=checked)
    except TypeError:  # encrypted without a password, or a password for a plain key
        raise _refuse("wrong_password", "The key's password is missing or not needed.") from None
    except ValueError:
        raise _refuse(
            code, "This file is not a private key (PEM or DER), or its password is wrong."
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise _refuse(code, "The key must be an RSA or EC key.")
    return key


def _looks_like_der(data: bytes) -> bool:
    """A DER SEQUENCE whose length is the file's: a PKCS#12 that the password did not open, rather
    than any other file."""
    if len(data) < 4 or data[0] != 0x30:
        return False
    first = data[1]
    if first < 0x80:
        return first + 2 == len(data)
    width = first & 0x7F
    return 0 < width <= 4 and int.from_bytes(data[2 : 2 + width], "big") + 2 + width == len(data)


def _from_p12(data: bytes, password: str) -> tuple[SigningKey, x509.Certificate, list[x509.Certificate]]:
    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(data, password.encode() or None)
    except ValueError:
        if _looks_like_der(data):
            raise _refuse("wrong_password", "The password does not open this .p12 file.") from None
        raise _refuse("malformed_p12", "This file is not a .p12 (PKCS#12) file.") from None
    if certificate is None or key is None:
        raise _refuse("malformed_p12", "This .p12 file holds no certificate with its private key.")
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise _refuse("malformed_p12", "The key in this .p12 file must be an RSA or EC key.")
    return key, certificate, list(extra)


def _subject(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    found = certificate.subject.get_attributes_for_oid(oid)
    return str(found[0].value) if found else None


def _check_certificate(certificate: x509.Certificate, upload: AppleUpload, now: datetime) -> None:
    try:
        certificate.extensions.get_extension_for_oid(PASS_TYPE_OID)
    except x509.ExtensionNotFound:
        raise _refuse(
            "not_pass_type_certificate", "This certificate is not a Pass Type ID certificate from Apple."
        ) from None
    if certificate.not_valid_after_utc <= now:
        raise _refuse("certificate_expired", "This certificate has expired: make a new one with Apple.")
    if certificate.not_valid_before_utc > now:
        raise _refuse("certificate_not_yet_valid", "This certificate is not valid yet.")
    uid = _subject(certificate, UID_OID)
    if uid is not None and uid != upload.pass_type_id:
        raise _refuse("pass_type_mismatch", f"This certificate is for the pass type '{uid}'.")
    team = _subject(certificate, NameOID.ORGANIZATIONAL_UNIT_NAME)
    if team is not None and team != upload.team_id:
        raise _refuse("team_mismatch", f"This certificate belongs to the team '{team}'.")


def _public(key: object) -> bytes:
    return key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _issuer(certificate: x509.Certificate, candidates: list[x509.Certificate]) -> x509.Certificate:
    for candidate in candidates:
        try:
            certificate.verify_directly_issued_by(candidate)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return candidate
    if not candidates:
        raise _refuse(
            "intermediate_required", "Add Apple's WWDR certificate that issued the pass certificate."
        )
    raise _refuse("intermediate_mismatch", "The WWDR certificate given did not issue the pass certificate.")


def _apns(upload: AppleUpload) -> ApnsKey | None:
    if upload.apns_key is None:
        return None
    if not TEAM_ID.match(upload.apns_key_id):
        raise _refuse("invalid_apns_key_id", "The APNs key id is 10 capital letters or digits.")
    team = upload.apns_team_id or upload.team_id
    if not TEAM_ID.match(team):
        raise _refuse("invalid_team_id", "A team id is 10 capital letters or digits.")
    key = _private_key(upload.apns_key, "", "malformed_apns_key")
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise _refuse("malformed_apns_key", "An APNs key (.p8) is an EC P-256 private key.")
    return ApnsKey(upload.apns_key_id, team, key)


def check_upload(upload: AppleUpload, now: datetime | None = None) -> AppleCredentials:
    """The credentials, once every check passes; else Invalid with the first broken rule's code."""
    now = now or utcnow()
    if not TEAM_ID.match(upload.team_id):
        raise _refuse("invalid_team_id", "A team id is 10 capital letters or digits.")
    if not PASS_TYPE_ID.match(upload.pass_type_id):
        raise _refuse("invalid_pass_type_id", "A pass type id looks like pass.com.example.loyalty.")
    p12 = _sized(upload.p12, "p12")
    certificate_file = _sized(upload.certificate, "certificate")
    key_file = _sized(upload.private_key, "key")
    intermediate_file = _sized(upload.intermediate, "intermediate")
    extra: list[x509.Certificate] = []
    if p12 is not None:
        key, certificate, extra = _from_p12(p12, upload.password)
    elif certificate_file is not None and key_file is not None:
        certificate = _certificate(certificate_file, "malformed_certificate")
        key = _private_key(key_file, upload.password, "malformed_key")
    else:
        raise _refuse("credentials_required", "Send a .p12 file, or the certificate and its private key.")
    _check_certificate(certificate, upload, now)
    if _public(certificate.public_key()) != _public(key.public_key()):
        raise _refuse("key_mismatch", "This private key does not belong to the certificate.")
    if intermediate_file is not None:
        extra = [_certificate(intermediate_file, "malformed_intermediate")]
    intermediate = _issuer(certificate, [each for each in extra if each != certificate])
    _sized(upload.apns_key, "apns_key")
    return AppleCredentials(
        upload.team_id, upload.pass_type_id, certificate, intermediate, key, _apns(upload)
    )


def _pem(key: SigningKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def _cert_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def save_credentials(
    db: Database,
    keys: WalletKeys,
    merchant_id: int,
    credentials: AppleCredentials,
    now: datetime | None = None,
) -> WalletSettings:
    """Store (or replace) the merchant's credentials; the private keys sealed."""
    with db.write() as session:
        row = session.get(WalletSettings, merchant_id) or WalletSettings(merchant_id=merchant_id)
        row.team_id, row.pass_type_id = credentials.team_id, credentials.pass_type_id
        row.certificate_pem = _cert_pem(credentials.certificate)
        row.intermediate_pem = _cert_pem(credentials.intermediate)
        row.private_key = keys.seal.seal(_pem(credentials.private_key))
        row.certificate_expires_at = credentials.certificate.not_valid_after_utc
        apns = credentials.apns
        row.apns_key_id = apns.key_id if apns else None
        row.apns_team_id = apns.team_id if apns else None
        row.apns_key = keys.seal.seal(_pem(apns.key)) if apns else None
        row.updated_at = now or utcnow()
        session.add(row)
        return row


def remove_credentials(db: Database, merchant_id: int) -> None:
    with db.write() as session:
        session.execute(delete(WalletSettings).where(WalletSettings.merchant_id == merchant_id))


def find_settings(session: Session, merchant_id: int) -> WalletSettings | None:
    return session.get(WalletSettings, merchant_id)


def opened(row: WalletSettings, keys: WalletKeys) -> AppleCredentials:
    """The stored credentials, ready to sign; NotFound when they were sealed under another key."""
    try:
        key = _private_key(keys.seal.open(row.private_key).encode(), "", "malformed_key", checked=True)
        apns_key = keys.seal.open(row.apns_key).encode() if row.apns_key else None
    except UnreadableMail:
        raise NotFound(
            "wallet_credentials_unreadable",
            "The Apple credentials were stored under another wallet key: upload them again.",
        ) from None
    apns = None
    if apns_key is not None and row.apns_key_id and row.apns_team_id:
        apns_private = _private_key(apns_key, "", "malformed_apns_key")
        assert isinstance(apns_private, ec.EllipticCurvePrivateKey)
        apns = ApnsKey(row.apns_key_id, row.apns_team_id, apns_private)
    return AppleCredentials(
        row.team_id,
        row.pass_type_id,
        x509.load_pem_x509_certificate(row.certificate_pem.encode()),
        x509.load_pem_x509_certificate(row.intermediate_pem.encode()),
        key,
        apns,
    )


def summary(row: WalletSettings | None) -> dict[str, object]:
    """What may be shown again: the public parts; the keys only as set or not."""
    if row is None:
        return {"configured": False}
    certificate = x509.load_pem_x509_certificate(row.certificate_pem.encode())
    return {
        "configured": True,
        "team_id": row.team_id,
        "pass_type_id": row.pass_type_id,
        "certificate_subject": certificate.subject.rfc4514_string(),
        "certificate_expires_at": row.certificate_expires_at,
        "private_key": MASK,
        "apns_auth": "token" if row.apns_key else "certificate",
        "apns_key_id": row.apns_key_id,
        "apns_key": MASK if row.apns_key else None,
        "updated_at": row.updated_at,
    }
