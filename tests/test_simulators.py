"""The controller simulators: each accepts a grant built by hand from the protocol, and refuses a wrong
secret, hash, CSRF header, credential or device. Nothing here comes from `captive/`: every value is
computed from the protocol itself, so a simulator that accepted anything would fail these tests."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, quote, unquote, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from werkzeug.wrappers import Request, Response

from tests.conftest import served
from tests.simulators import CoovaChilli, Meraki, MikroTik, Online, OpenNDS, UniFi, normalize_mac

PHONE = "AA-BB-CC-DD-EE-01"  # any spelling: the simulators normalize it
OTHER = "aa:bb:cc:dd:ee:02"
PORTAL = "http://portal.test"
LANDING = "http://portal.test/p/demo/welcome"


@contextmanager
def phone(mac: str | None = PHONE) -> Iterator[httpx.Client]:
    """The device's browser: it says which device it is on every request and follows no redirect."""
    headers = {"X-Device-Mac": mac} if mac else {}
    with httpx.Client(headers=headers, follow_redirects=False, timeout=10) as client:
        yield client


def raw_query(url: str) -> dict[str, str]:
    """name -> value without form decoding: openNDS puts raw base64 ('+', '/', '=') in its query."""
    return dict(part.split("=", 1) for part in urlsplit(url).query.split("&"))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_mac_spellings() -> None:
    assert normalize_mac("AA-BB-CC-DD-EE-01") == normalize_mac("aabbccddee01") == "aa:bb:cc:dd:ee:01"
    with pytest.raises(ValueError):
        normalize_mac("not-a-mac")


# -- openNDS ---------------------------------------------------------------------------------------


def test_opennds_level0_raw_token() -> None:
    with OpenNDS("unused-key", 0, f"{PORTAL}/fas") as sim, phone() as browser:
        url = sim.arrive(PHONE, "10.0.0.5", "http://example.com/")
        prefix = f"{PORTAL}/fas?authaction=http://{sim.address}/opennds_auth/?clientip=10.0.0.5"
        assert url.startswith(prefix + "&gatewayname=Demo%20Cafe&tok=")
        assert url.endswith("&redir=http%3a%2f%2fexample.com%2f")
        # A form parser reads clientip as part of authaction's value: the real openNDS quirk.
        assert parse_qs(urlsplit(url).query)["authaction"] == [
            f"http://{sim.address}/opennds_auth/?clientip=10.0.0.5"
        ]
        tok = raw_query(url)["tok"]
        assert re.fullmatch(r"[0-9a-f]{8}", tok)

        wrong = browser.get(f"{sim.base_url}/opennds_auth/", params={"tok": "00000000", "redir": LANDING})
        assert wrong.status_code == 307 and wrong.headers["location"].startswith(f"{PORTAL}/fas?authaction=")
        assert not sim.is_online(PHONE) and sim.refusals

        granted = browser.get(f"{sim.base_url}/opennds_auth/", params={"tok": tok, "redir": LANDING})
        assert granted.status_code == 307 and granted.headers["location"] == LANDING
        assert sim.online[normalize_mac(PHONE)] == Online(mac="aa:bb:cc:dd:ee:01")


def _level1_payload(url: str) -> dict[str, str]:
    decoded = base64.b64decode(raw_query(url)["fas"]).decode()
    assert decoded.endswith(", ")  # every field is followed by the separator
    return dict(field.split("=", 1) for field in decoded.split(", ") if field)


def test_opennds_level1_rhid() -> None:
    with OpenNDS("s3cret-key", 1, f"{PORTAL}/fas") as sim, phone() as browser:
        url = sim.arrive(PHONE, "10.0.0.5", "http://example.com/page?x=1")
        assert url.startswith(f"{PORTAL}/fas?fas=") and "&" not in urlsplit(url).query
        payload = _level1_payload(url)
        assert list(payload) == [
            "hid", "clientip", "clientmac", "client_type", "cpi_query", "gatewayname", "gatewayurl",
            "version", "gatewayaddress", "gatewaymac", "originurl", "clientif", "themespec",
        ]  # fmt: skip
        assert payload["gatewayaddress"] == sim.address and payload["clientmac"] == "aa:bb:cc:dd:ee:01"
        assert payload["gatewayname"] == "Demo%20Cafe" and payload["client_type"] == "cpd_can"
        assert unquote(payload["originurl"]) == "http://example.com/page?x=1"

        rhid = sha256_hex(payload["hid"] + "s3cret-key")
        response = browser.get(
            f"http://{payload['gatewayaddress']}/opennds_auth/", params={"tok": rhid, "redir": LANDING}
        )
        assert response.status_code == 307 and response.headers["location"] == LANDING
        assert sim.is_online("aa:bb:cc:dd:ee:01")


def test_opennds_level1_refuses_wrong_faskey_device_and_host() -> None:
    with OpenNDS("s3cret-key", 1, f"{PORTAL}/fas") as sim:
        payload = _level1_payload(sim.arrive(PHONE, "10.0.0.5"))
        auth = f"{sim.base_url}/opennds_auth/"
        with phone() as browser:
            wrong_key = browser.get(
                auth, params={"tok": sha256_hex(payload["hid"] + "default-key"), "redir": LANDING}
            )
            assert wrong_key.status_code == 307 and wrong_key.headers["location"].startswith(
                f"{PORTAL}/fas?fas="
            )
            no_redir = browser.get(auth, params={"tok": sha256_hex(payload["hid"] + "s3cret-key")})
            assert no_redir.status_code == 403
            rhid = sha256_hex(payload["hid"] + "s3cret-key")
            foreign = browser.get(  # addressed to another host name: captured, not authenticated
                auth, params={"tok": rhid, "redir": LANDING}, headers={"Host": "captive.example"}
            )
            assert foreign.status_code == 307 and "fas=" in foreign.headers["location"]
        with phone(OTHER) as intruder:  # another device replaying this device's rhid
            assert intruder.get(auth, params={"tok": rhid, "redir": LANDING}).status_code == 307
        with phone(None) as anonymous:
            assert anonymous.get(auth, params={"tok": rhid, "redir": LANDING}).status_code == 503
        assert not sim.online
        assert len(sim.refusals) == 5


def _php_decrypt(fas: str, iv: str, key: bytes) -> str:
    """fas-aes.php: openssl_decrypt(base64_decode($fas), "AES-256-CBC", $key, 0, $iv) where options 0
    means the ciphertext is itself base64 and PHP pads a short key with NUL bytes."""
    ciphertext = base64.b64decode(base64.b64decode(fas))
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv.encode())).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    return (
        unpadder.update(decryptor.update(ciphertext) + decryptor.finalize()) + unpadder.finalize()
    ).decode()


@pytest.mark.parametrize(
    ("faskey", "aes_key"),
    [
        ("1234567890", b"1234567890" + b"\0" * 22),  # shorter than 32 bytes: NUL-padded
        (
            "c775e7b757ede630cd0aa1113bd102661ab38829ca52a6422ab782862f268646",
            b"c775e7b757ede630cd0aa1113bd10266",
        ),
    ],
)
def test_opennds_level2_aes(faskey: str, aes_key: bytes) -> None:
    with OpenNDS(faskey, 2, f"{PORTAL}/fas") as sim, phone() as browser:
        query = raw_query(sim.arrive(PHONE, "10.0.0.5"))
        assert re.fullmatch(r"[0-9a-f]{16}", query["iv"])
        payload = dict(
            f.split("=", 1) for f in _php_decrypt(query["fas"], query["iv"], aes_key).split(", ") if f
        )
        assert payload["authdir"] == "opennds_auth" and payload["gatewayaddress"] == sim.address
        auth = f"http://{payload['gatewayaddress']}/{payload['authdir']}/"

        assert (
            browser.get(
                auth, params={"tok": sha256_hex(payload["hid"] + "wrong"), "redir": LANDING}
            ).status_code
            == 307
        )
        assert not sim.is_online(PHONE)
        granted = browser.get(auth, params={"tok": sha256_hex(payload["hid"] + faskey), "redir": LANDING})
        assert granted.headers["location"] == LANDING and sim.is_online(PHONE)


def test_opennds_level3_authmon_polls_as_fas_aes_https_expects() -> None:
    """A FAS that answers as fas-aes-https.php's auth_get() does: the gateway's hash, the lines, the
    acknowledgement; the gateway lets online only the client whose rhid was listed."""
    faskey = "s3cretKey2026"
    posts: list[dict[str, str]] = []
    lines: list[str] = []

    @Request.application
    def fas(request: Request) -> Response:
        posts.append({**request.form.to_dict(), "agent": request.headers.get("User-Agent", "")})
        payload = base64.b64decode(request.form["payload"]).decode()
        if request.form["auth_get"] == "view" and payload == "none":
            return Response(" ".join(["*", *(quote(line, safe="") for line in lines)]))
        return Response("ack" if request.form["auth_get"] == "view" else "")

    with served(fas) as fas_url, OpenNDS(faskey, 3, fas_url, gateway_name="Demo Cafe") as sim:
        query = raw_query(sim.arrive(PHONE, "10.0.0.5"))
        key = faskey.encode().ljust(32, b"\0")
        payload = dict(f.split("=", 1) for f in _php_decrypt(query["fas"], query["iv"], key).split(", ") if f)
        assert payload["gatewayname"] == "Demo%20Cafe" and payload["authdir"] == "opennds_auth"
        sim.arrive(OTHER, "10.0.0.6")
        rhid = sha256_hex(payload["hid"] + faskey)
        lines.append(f"{rhid} 30 100 200 0 5000 {base64.b64encode(b'x=1').decode()}")
        assert sim.authmon(rounds=1) == ["", f"* {quote(lines[0], safe='')}", "ack"]
        assert [(p["auth_get"], base64.b64decode(p["payload"]).decode()) for p in posts] == [
            ("clear", "none"),
            ("view", "none"),
            ("view", f"* {rhid}"),
        ]
        assert {p["gatewayhash"] for p in posts} == {sha256_hex("Demo%20Cafe")} == {sim.gateway_hash}
        assert posts[0]["agent"] == "openNDS(authmon;NDS:10.2.0;)"
        assert sim.is_online(PHONE) and not sim.is_online(OTHER)
        assert sim.online[normalize_mac(PHONE)] == Online(normalize_mac(PHONE), 30, 100, 200, 5)
        # Listed again once online: ndsctl says "No", so it is not acknowledged a second time.
        assert sim.authmon(rounds=1)[-1] == "ack" and base64.b64decode(posts[-1]["payload"]) == b"*"


# -- Meraki ----------------------------------------------------------------------------------------


def test_meraki_click_through() -> None:
    with Meraki("click-through") as sim:
        url = sim.arrive(PHONE, "10.1.0.7", f"{PORTAL}/meraki", "http://example.com/")
        names = [part.split("=", 1)[0] for part in urlsplit(url).query.split("&")]
        assert names == [
            "base_grant_url",
            "user_continue_url",
            "node_id",
            "node_mac",
            "gateway_id",
            "client_ip",
            "client_mac",
        ]
        params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert params["base_grant_url"] == f"{sim.base_url}/splash/grant"
        assert params["client_mac"] == "aa:bb:cc:dd:ee:01" and params["client_ip"] == "10.1.0.7"

        with phone(OTHER) as intruder:
            refused = intruder.get(params["base_grant_url"], params={"continue_url": LANDING})
            assert refused.status_code == 200 and not sim.online and sim.refusals
        with phone() as browser:
            granted = browser.get(
                params["base_grant_url"], params={"continue_url": LANDING, "duration": "3600"}
            )
        assert granted.status_code == 302 and granted.headers["location"] == LANDING
        assert sim.online["aa:bb:cc:dd:ee:01"].minutes == 60  # duration is in seconds


def test_meraki_sign_on() -> None:
    with Meraki("sign-on", username="guest-42", password="pw-42") as sim:
        url = sim.arrive(PHONE, "10.1.0.7", f"{PORTAL}/meraki")
        other_url = sim.arrive(OTHER, "10.1.0.8", f"{PORTAL}/meraki")
        names = [part.split("=", 1)[0] for part in urlsplit(url).query.split("&")]
        assert names == [
            "login_url",
            "continue_url",
            "ap_mac",
            "ap_name",
            "ap_tags",
            "client_mac",
            "client_ip",
        ]
        login_url = parse_qs(urlsplit(url).query)["login_url"][0]
        assert login_url.startswith(f"{sim.base_url}/splash/login?mauth=")
        form = {"username": "guest-42", "password": "pw-42", "success_url": LANDING}

        with phone() as browser:
            wrong = browser.post(login_url, data={**form, "password": "nope"})
            assert wrong.status_code == 200 and "Login failed" in wrong.text
            stolen = browser.post(parse_qs(urlsplit(other_url).query)["login_url"][0], data=form)
            assert stolen.status_code == 200 and not sim.online
            assert len(sim.refusals) == 2
            granted = browser.post(login_url, data=form)
        assert granted.status_code == 302 and granted.headers["location"].startswith(LANDING + "?logout_url=")
        assert sim.online["aa:bb:cc:dd:ee:01"].username == "guest-42"
        assert not sim.is_online(OTHER)


# -- UniFi -----------------------------------------------------------------------------------------


def test_unifi_arrival_url() -> None:
    with UniFi(False, "admin", "pw", site="default") as sim:
        url = sim.arrive(PHONE, PORTAL, ap_mac="F0:9F:C2:00:00:01", original_url="http://example.com/")
        assert re.fullmatch(
            rf"{PORTAL}/guest/s/default/\?ap=f0:9f:c2:00:00:01&id=aa:bb:cc:dd:ee:01&t=\d+"
            r"&url=http%3A%2F%2Fexample.com%2F&ssid=Demo%20Guest",
            url,
        )


def test_unifi_classic() -> None:
    grant = {
        "cmd": "authorize-guest",
        "mac": "aa:bb:cc:dd:ee:01",
        "minutes": 120,
        "up": 512,
        "down": 2048,
        "bytes": 500,
    }
    with UniFi(False, "admin", "pw") as sim, httpx.Client(base_url=sim.base_url) as api:
        sim.arrive(PHONE, PORTAL)
        assert (
            api.post("/api/s/default/cmd/stamgr", json=grant).json()["meta"]["msg"] == "api.err.LoginRequired"
        )
        bad = api.post("/api/login", json={"username": "admin", "password": "wrong"})
        assert bad.status_code == 400 and bad.json() == {
            "meta": {"rc": "error", "msg": "api.err.Invalid"},
            "data": [],
        }
        assert not api.cookies.get("unifises")

        assert api.post("/api/login", json={"username": "admin", "password": "pw"}).status_code == 200
        assert api.cookies.get("unifises") and api.cookies.get("csrf_token")
        wrong_site = api.post("/api/s/elsewhere/cmd/stamgr", json=grant)
        assert wrong_site.json()["meta"]["rc"] == "error" and not sim.online
        ok = api.post("/api/s/default/cmd/stamgr", json=grant)  # the session cookie alone suffices
        assert ok.status_code == 200 and ok.json()["meta"] == {"rc": "ok"}
        assert sim.online["aa:bb:cc:dd:ee:01"] == Online(
            mac="aa:bb:cc:dd:ee:01", minutes=120, up_kbps=512, down_kbps=2048, quota_mb=500
        )
        api.post("/api/s/default/cmd/stamgr", json={"cmd": "unauthorize-guest", "mac": "aa:bb:cc:dd:ee:01"})
        assert not sim.is_online(PHONE)
        assert len(sim.refusals) == 3


def test_unifi_os_csrf() -> None:
    grant = {"cmd": "authorize-guest", "mac": "aa:bb:cc:dd:ee:01", "minutes": 60}
    path = "/proxy/network/api/s/default/cmd/stamgr"
    with UniFi(True, "admin", "pw") as sim, httpx.Client(base_url=sim.base_url) as api:
        sim.arrive(PHONE, PORTAL)
        assert api.post("/api/auth/login", json={"username": "admin", "password": "x"}).status_code == 403
        assert api.post(path, json=grant).status_code == 401

        login = api.post("/api/auth/login", json={"username": "admin", "password": "pw"})
        csrf = login.headers["x-csrf-token"]
        claims = json.loads(base64.urlsafe_b64decode(api.cookies["TOKEN"].split(".")[1] + "=="))
        assert claims["csrfToken"] == csrf

        no_csrf = api.post(path, json=grant)
        assert no_csrf.status_code == 403 and not sim.online
        assert api.post(path, json=grant, headers={"x-csrf-token": "forged"}).status_code == 403
        unprefixed = api.post("/api/s/default/cmd/stamgr", json=grant, headers={"x-csrf-token": csrf})
        assert unprefixed.status_code == 404 and not sim.online
        ok = api.post(path, json=grant, headers={"x-csrf-token": csrf})
        assert ok.json()["meta"]["rc"] == "ok" and sim.online["aa:bb:cc:dd:ee:01"].minutes == 60
        assert len(sim.refusals) == 5


def test_unifi_authorizing_a_station_that_is_not_connected() -> None:
    with UniFi(False, "admin", "pw") as sim, httpx.Client(base_url=sim.base_url) as api:
        api.post("/api/login", json={"username": "admin", "password": "pw"})
        answer = api.post(
            "/api/s/default/cmd/stamgr", json={"cmd": "authorize-guest", "mac": OTHER, "minutes": 30}
        )
        assert answer.json()["meta"]["rc"] == "ok" and not sim.is_online(OTHER)
        sim.arrive(OTHER, PORTAL)
        assert sim.online[OTHER].minutes == 30


# -- MikroTik --------------------------------------------------------------------------------------


def octal_bytes(text: str) -> bytes:
    assert re.fullmatch(r"(\\[0-7]{3})+", text), text
    return bytes(int(digits, 8) for digits in re.findall(r"\\([0-7]{3})", text))


def test_mikrotik_chap_login() -> None:
    with MikroTik("api", "api-pw", users={"guest-7": "pw-7"}) as sim, phone() as browser:
        fields = sim.arrive(PHONE, "10.5.50.7", f"{PORTAL}/mikrotik", "http://example.com/")
        assert (
            fields["link-login-only"] == f"{sim.base_url}/login"
            and fields["link-orig"] == "http://example.com/"
        )
        chap_id, challenge = octal_bytes(fields["chap-id"]), octal_bytes(fields["chap-challenge"])
        assert len(chap_id) == 1 and len(challenge) == 16

        def login(password: str) -> httpx.Response:
            form = {"username": "guest-7", "password": password, "dst": LANDING, "popup": "true"}
            return browser.post(fields["link-login-only"], data=form)

        wrong = login(hashlib.md5(chap_id + b"pw-8" + challenge).hexdigest())
        assert wrong.status_code == 200 and "invalid username or password" in wrong.text
        assert login("pw-7").status_code == 200 and not sim.is_online(PHONE)  # plain text is not CHAP
        assert len(sim.refusals) == 2

        fields = sim.arrive(PHONE, "10.5.50.7", f"{PORTAL}/mikrotik")  # a fresh login page, a fresh challenge
        chap_id, challenge = octal_bytes(fields["chap-id"]), octal_bytes(fields["chap-challenge"])
        ok = login(hashlib.md5(chap_id + b"pw-7" + challenge).hexdigest())
        assert ok.status_code == 200 and f'url={LANDING}"' in ok.text  # alogin.html sends it on to dst
        assert sim.online["aa:bb:cc:dd:ee:01"] == Online(mac="aa:bb:cc:dd:ee:01", username="guest-7")

        with phone(OTHER) as stranger:  # a device the router has no host entry for
            stranger.post(f"{sim.base_url}/login", data={"username": "guest-7", "password": "pw-7"})
        assert not sim.is_online(OTHER) and len(sim.refusals) == 3


def test_mikrotik_pap_and_rest_api() -> None:
    with MikroTik("api", "api-pw", use_chap=False) as sim, httpx.Client(base_url=sim.base_url) as api:
        assert api.get("/rest/ip/hotspot/user").status_code == 401
        assert api.put("/rest/ip/hotspot/user", json={"name": "x"}, auth=("api", "nope")).status_code == 401
        body = {
            "name": "guest-9",
            "password": "pw-9",
            "limit-uptime": "90m",
            "limit-bytes-total": "100M",
            "comment": "card 1",
        }
        created = api.put("/rest/ip/hotspot/user", json=body, auth=("api", "api-pw"))
        assert created.status_code == 200
        assert created.json()[".id"].startswith("*") and created.json()["limit-uptime"] == "1h30m"
        duplicate = api.put("/rest/ip/hotspot/user", json=body, auth=("api", "api-pw"))
        assert duplicate.status_code == 400
        assert duplicate.json() == {
            "error": 400,
            "message": "Bad Request",
            "detail": "failure: already have user with this name for this server",
        }
        assert [u["name"] for u in api.get("/rest/ip/hotspot/user", auth=("api", "api-pw")).json()] == [
            "guest-9"
        ]

        fields = sim.arrive(PHONE, "10.5.50.7", f"{PORTAL}/mikrotik")
        assert fields["chap-id"] == fields["chap-challenge"] == ""  # no CHAP: plain password
        with phone() as browser:
            browser.post(
                fields["link-login-only"], data={"username": "guest-9", "password": "wrong", "dst": LANDING}
            )
            assert not sim.online
            browser.post(
                fields["link-login-only"], data={"username": "guest-9", "password": "pw-9", "dst": LANDING}
            )
        assert sim.online["aa:bb:cc:dd:ee:01"] == Online(
            mac="aa:bb:cc:dd:ee:01", minutes=90, quota_mb=100, username="guest-9"
        )
        assert len(sim.refusals) == 4


# -- CoovaChilli -----------------------------------------------------------------------------------


def checked_md(url: str, secret: str) -> str:
    """The URL without &md=..., after checking md = MD5(URL before "&md=" + uamsecret), upper hex."""
    before, md = url.rsplit("&md=", 1)
    assert md == hashlib.md5((before + secret).encode()).hexdigest().upper()
    return before


def coova_logon(sim: CoovaChilli, browser: httpx.Client, username: str, **auth: str) -> httpx.Response:
    query = "&".join(
        f"{k}={quote(v, safe='')}" for k, v in {"username": username, **auth, "userurl": LANDING}.items()
    )
    return browser.get(f"http://{sim.uamip}:{sim.port}/logon?{query}")


def test_coova_chap_with_uamsecret() -> None:
    with CoovaChilli("uam-s3cret", {"guest-3": "pw-3"}, f"{PORTAL}/uam") as sim, phone() as browser:
        url = sim.arrive(PHONE, "10.1.0.9", "http://example.com/")
        names = [part.split("=", 1)[0] for part in urlsplit(checked_md(url, "uam-s3cret")).query.split("&")]
        assert names == [
            "res",
            "uamip",
            "uamport",
            "challenge",
            "called",
            "mac",
            "ip",
            "nasid",
            "sessionid",
            "userurl",
        ]
        q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert (q["res"], q["uamip"], q["uamport"], q["mac"]) == (
            "notyet",
            "127.0.0.1",
            str(sim.port),
            "AA-BB-CC-DD-EE-01",
        )
        assert re.fullmatch(r"([0-9A-F]{2}-){5}[0-9A-F]{2}", q["called"])
        challenge = bytes.fromhex(q["challenge"])

        wrong_chal = hashlib.md5(challenge + b"guessed-secret").digest()
        refused = coova_logon(
            sim, browser, "guest-3", response=hashlib.md5(b"\0pw-3" + wrong_chal).hexdigest()
        )
        assert refused.status_code == 302
        failed = {
            k: v[0]
            for k, v in parse_qs(
                urlsplit(checked_md(refused.headers["location"], "uam-s3cret")).query
            ).items()
        }
        assert (failed["res"], failed["reason"]) == ("failed", "reject") and failed["challenge"] != q[
            "challenge"
        ]
        assert not sim.online and sim.refusals

        newchal = hashlib.md5(bytes.fromhex(failed["challenge"]) + b"uam-s3cret").digest()
        ok = coova_logon(sim, browser, "guest-3", response=hashlib.md5(b"\0pw-3" + newchal).hexdigest())
        location = checked_md(ok.headers["location"], "uam-s3cret")
        assert location.startswith(f"{PORTAL}/uam?res=success&uamip=127.0.0.1&uamport={sim.port}&called=")
        assert "&uid=guest-3&" in location and location.endswith(
            "&userurl=http%3a%2f%2fportal.test%2fp%2fdemo%2fwelcome"
        )
        assert sim.online["aa:bb:cc:dd:ee:01"].username == "guest-3"


def test_coova_pap_without_uamsecret() -> None:
    with CoovaChilli(None, {"guest-4": "pw-4"}, f"{PORTAL}/uam") as sim:
        url = sim.arrive(PHONE, "10.1.0.9")
        assert "&md=" not in url
        challenge = bytes.fromhex(
            parse_qs(urlsplit(url).query)["challenge"][0]
        )  # no secret: newchal = challenge

        def pap(password: bytes) -> str:
            padded = password.ljust(16, b"\0")
            return bytes(b ^ challenge[i % 16] for i, b in enumerate(padded)).hex()

        with phone(OTHER) as intruder:
            assert coova_logon(sim, intruder, "guest-4", password=pap(b"pw-4")).status_code == 403
        with phone() as browser:
            failed = coova_logon(sim, browser, "guest-4", password=pap(b"pw-5")).headers["location"]
            assert "res=failed&reason=reject" in failed
            challenge = bytes.fromhex(parse_qs(urlsplit(failed).query)["challenge"][0])  # a new one
            assert (
                "res=success"
                in coova_logon(sim, browser, "guest-4", password=pap(b"pw-4")).headers["location"]
            )
        assert sim.is_online(PHONE) and not sim.is_online(OTHER)
        assert len(sim.refusals) == 2
