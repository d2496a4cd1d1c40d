"""A stand-in for the Google Wallet REST API and Google's OAuth2 token endpoint, on loopback (a
threaded werkzeug server). The token endpoint takes a service account's signed JWT (RFC 7523),
verified with the public keys the test registers, and hands out bearer tokens; the Wallet API
refuses any other bearer (401), keeps loyalty classes and objects (insert: 409 when it exists, an
object's class must exist; PATCH: 404 when it does not, else the fields merged) and records every
write. `down` answers 503 to everything."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

API = "/walletobjects/v1/"
TOKEN_PATH = "/token"
SCOPE = "https://www.googleapis.com/auth/wallet_object.issuer"


@dataclass(frozen=True)
class Write:
    method: str
    kind: str  # loyaltyClass or loyaltyObject
    resource_id: str
    body: dict[str, Any]


@dataclass
class GoogleStandIn:
    url: str = ""
    accounts: dict[str, rsa.RSAPublicKey] = field(default_factory=dict)  # client_email → key
    tokens: set[str] = field(default_factory=set)
    resources: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {"loyaltyClass": {}, "loyaltyObject": {}}
    )
    writes: list[Write] = field(default_factory=list)
    token_requests: int = 0
    down: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def token_url(self) -> str:
        return self.url + TOKEN_PATH

    def objects_written(self) -> list[Write]:
        return [each for each in self.writes if each.kind == "loyaltyObject"]

    def _token(self, request: Request) -> Response:
        if request.form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return _json({"error": "unsupported_grant_type"}, 400)
        assertion = request.form.get("assertion", "")
        issuer = jwt.decode(assertion, options={"verify_signature": False}).get("iss", "")
        key = self.accounts.get(issuer)
        if key is None:
            return _json({"error": "invalid_grant", "error_description": "unknown account"}, 400)
        try:
            claims = jwt.decode(assertion, key, algorithms=["RS256"], audience=self.token_url)
        except jwt.InvalidTokenError as error:
            return _json({"error": "invalid_grant", "error_description": str(error)}, 400)
        if claims.get("scope") != SCOPE:
            return _json({"error": "invalid_scope"}, 400)
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens.add(token)
            self.token_requests += 1
        return _json({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    def _api(self, request: Request) -> Response:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or token not in self.tokens:
            return _json({"error": {"code": 401, "message": "Request had invalid credentials."}}, 401)
        kind, _, resource_id = request.path.removeprefix(API).partition("/")
        if kind not in self.resources:
            return _json({"error": {"code": 404, "message": "No such collection."}}, 404)
        store = self.resources[kind]
        body = request.get_json(silent=True) or {}
        with self._lock:
            if request.method == "GET" and resource_id in store:
                return _json(store[resource_id])
            if request.method == "POST" and not resource_id:
                if body.get("id") in store:
                    return _json({"error": {"code": 409, "message": "Resource already exists."}}, 409)
                if kind == "loyaltyObject" and body.get("classId") not in self.resources["loyaltyClass"]:
                    return _json({"error": {"code": 404, "message": "Class not found."}}, 404)
                store[body["id"]] = body
                self.writes.append(Write("POST", kind, body["id"], body))
                return _json(body)
            if request.method == "PATCH" and resource_id in store:
                store[resource_id] = {**store[resource_id], **body}
                self.writes.append(Write("PATCH", kind, resource_id, body))
                return _json(store[resource_id])
        return _json({"error": {"code": 404, "message": "Resource not found."}}, 404)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if self.down:
            response = _json({"error": {"code": 503, "message": "Backend Error"}}, 503)
        elif request.path == TOKEN_PATH and request.method == "POST":
            response = self._token(request)
        elif request.path.startswith(API):
            response = self._api(request)
        else:
            response = _json({"error": "not found"}, 404)
        return response(environ, start_response)


def _json(body: object, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


@contextmanager
def google_stand_in() -> Iterator[GoogleStandIn]:
    stand_in = GoogleStandIn()
    server = make_server("127.0.0.1", 0, stand_in, threaded=True)
    stand_in.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        thread.join(timeout=10)
