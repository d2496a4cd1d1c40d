"""Reading a served .pkpass as Wallet does: unzip, check every manifest hash, verify the detached
PKCS#7 signature of the manifest and its chain up to the test's root."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


@dataclass
class OpenedPass:
    files: dict[str, bytes]
    signer: x509.Certificate
    chain: list[x509.Certificate]

    @property
    def json(self) -> Any:
        return json.loads(self.files["pass.json"])


def open_pass(data: bytes, root: x509.Certificate) -> OpenedPass:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files["manifest.json"])
    listed = set(files) - {"manifest.json", "signature"}
    assert set(manifest) == listed, (sorted(manifest), sorted(listed))
    for name, digest in manifest.items():
        assert hashlib.sha1(files[name]).hexdigest() == digest, name
    signer, chain = verify_signature(files["signature"], files["manifest.json"], root)
    return OpenedPass(files, signer, chain)


def verify_signature(
    signature: bytes, manifest: bytes, root: x509.Certificate
) -> tuple[x509.Certificate, list[x509.Certificate]]:
    content = cms.ContentInfo.load(signature)
    assert content["content_type"].native == "signed_data"
    signed = content["content"]
    assert signed["encap_content_info"]["content"].native is None, "the signature must be detached"
    certificates = [x509.load_der_x509_certificate(each.chosen.dump()) for each in signed["certificates"]]
    (info,) = signed["signer_infos"]
    serial = info["sid"].chosen["serial_number"].native
    (signer,) = [each for each in certificates if each.serial_number == serial]
    attributes = {each["type"].native: each["values"][0] for each in info["signed_attrs"]}
    assert attributes["message_digest"].native == hashlib.sha256(manifest).digest()
    assert "signing_time" in attributes
    signed_bytes = b"\x31" + info["signed_attrs"].dump()[1:]  # the SET OF the signature covers
    public = signer.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(info["signature"].native, signed_bytes, padding.PKCS1v15(), hashes.SHA256())
    intermediates = [each for each in certificates if each != signer]
    (issuer,) = [each for each in intermediates if each.subject == signer.issuer]
    signer.verify_directly_issued_by(issuer)
    issuer.verify_directly_issued_by(root)
    return signer, intermediates
