"""A locally made stand-in for Apple's certificates: a root, a WWDR-like intermediate and Pass Type
ID certificates it issues. For the demo and the tests only: iOS trusts none of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from .services.wallet_credentials import PASS_TYPE_OID, UID_OID

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


def _name(common_name: str, *extra: x509.NameAttribute[str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name), *extra])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _issue(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: Issued | None,
    *,
    ca: bool,
    not_before: datetime,
    not_after: datetime,
    extensions: tuple[x509.ExtensionType, ...] = (),
) -> Issued:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    return Issued(builder.sign(issuer.key if issuer else key, hashes.SHA256()), key)


@dataclass(frozen=True)
class LocalAuthority:
    root: Issued
    wwdr: Issued

    def pass_certificate(
        self,
        pass_type_id: str,
        team_id: str,
        *,
        marked: bool = True,
        not_after: datetime | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> Issued:
        """A Pass Type ID certificate as Apple makes one (`marked`: with Apple's extension)."""
        now = datetime.now(UTC)
        subject = _name(
            f"Pass Type ID: {pass_type_id}",
            x509.NameAttribute(UID_OID, pass_type_id),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, team_id),
        )
        marker = (x509.UnrecognizedExtension(PASS_TYPE_OID, b"\x05\x00"),) if marked else ()
        return _issue(
            subject,
            key or _key(),
            self.wwdr,
            ca=False,
            not_before=now - DAY,
            not_after=not_after or now + 365 * DAY,
            extensions=marker,
        )


def local_authority() -> LocalAuthority:
    now = datetime.now(UTC)
    root = _issue(
        _name("Test Root CA"), _key(), None, ca=True, not_before=now - DAY, not_after=now + 3650 * DAY
    )
    wwdr = _issue(
        _name("Test WWDR Intermediate"),
        _key(),
        root,
        ca=True,
        not_before=now - DAY,
        not_after=now + 3650 * DAY,
    )
    return LocalAuthority(root, wwdr)


def apns_key_pem() -> bytes:
    """An APNs auth key as Apple hands one out (.p8: PKCS#8 PEM of a P-256 key)."""
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
