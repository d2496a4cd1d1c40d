"""The core's side of the Wi-Fi registration: hotspots and their settings, guests let online
(sign-ups, returning devices, consents, visits) and how long Wi-Fi-only guests are kept."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.errors import Invalid, InvalidFields
from admin_core.models import (
    Card,
    ConsentKind,
    ConsentRecord,
    ContactRequired,
    Customer,
    CustomerSource,
    Hotspot,
    HotspotKind,
    OperationKind,
    WifiVisit,
)
from admin_core.services import utcnow
from admin_core.services.hotspots import HotspotOptions, create_hotspot, get_hotspot, update_hotspot
from admin_core.services.ledger import OperationRequest, record_operation
from admin_core.services.merchants import create_api_key, create_merchant, create_store, get_merchant
from admin_core.services.portal_auth import set_password
from admin_core.services.signup import SignupRequest
from admin_core.services.wifi import (
    Arrival,
    VisitOutcome,
    connect,
    normalize_mac,
    purge_wifi_guests,
    recognize,
)

OPENNDS = {"fas_level": 2, "faskey": "venueKey2026", "gateway_address": "192.168.1.1:2050"}
PHONE_MAC = "AA-BB-CC-00-11-22"


@pytest.fixture
def api(core_app: Flask) -> FlaskClient:
    return core_app.test_client()


def merchant_id(core: Core, slug: str = "demo") -> int:
    with core.db.read() as session:
        return get_merchant(session, slug).id


def hotspot(core: Core, public_id: str = "cafe", **options: Any) -> Hotspot:
    made = create_hotspot(
        core.db, merchant_id(core), "MAIN", HotspotKind.OPENNDS, OPENNDS, HotspotOptions(**options), public_id
    )
    return made


def guest(**changes: Any) -> SignupRequest:
    values: dict[str, Any] = {
        "first_name": "Lena",
        "email": "lena@example.com",
        "terms": True,
        "privacy": True,
    }
    return SignupRequest(**{**values, **changes})


def visit(core: Core, spot: Hotspot, nonce: str, guest_request: SignupRequest | None, **arrival: Any) -> Any:
    with core.db.write() as session:
        fresh = get_hotspot(session, spot.merchant_id, spot.public_id)
        return connect(
            core.db,
            session,
            fresh,
            Arrival(nonce, arrival.get("mac", PHONE_MAC), arrival.get("ip", "10.0.0.7")),
            guest_request,
            accepted=arrival.get("accepted", False),
        )


def count(core: Core, model: Any, *where: Any) -> int:
    with core.db.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_a_sign_up_makes_a_customer_with_a_card_consents_and_a_visit(
    core: Core, demo: dict[str, Any]
) -> None:
    spot = hotspot(core, terms_version="wifi-3", privacy_version="p-2")
    made = visit(core, spot, "n1", guest(marketing=True, phone="+39 333 1234567"))
    assert made.outcome is VisitOutcome.CREATED
    assert made.card_number.startswith("9") and len(made.card_number) == 13

    with core.db.read() as session:
        card = session.scalar(select(Card).where(Card.number == made.card_number))
        assert card is not None
        customer = card.customer
        assert (customer.first_name, customer.last_name, customer.email) == ("Lena", "", "lena@example.com")
        assert customer.store_id == spot.store_id and customer.marketing_consent
        assert customer.source is CustomerSource.WIFI and customer.search_phone == "393331234567"
        records = session.scalars(select(ConsentRecord).where(ConsentRecord.customer_id == customer.id)).all()
        seen = {
            (r.kind, r.granted, r.version, r.source, r.store_id, r.device_mac, r.ip_address) for r in records
        }
        assert seen == {
            (ConsentKind.TERMS, True, "wifi-3", "wifi", spot.store_id, "aa:bb:cc:00:11:22", "10.0.0.7"),
            (ConsentKind.PRIVACY, True, "p-2", "wifi", spot.store_id, "aa:bb:cc:00:11:22", "10.0.0.7"),
            (ConsentKind.MARKETING, True, "1", "wifi", spot.store_id, "aa:bb:cc:00:11:22", "10.0.0.7"),
        }
        [seen_visit] = session.scalars(select(WifiVisit)).all()
        assert (seen_visit.new_customer, seen_visit.device_mac, seen_visit.store_id) == (
            True,
            "aa:bb:cc:00:11:22",
            spot.store_id,
        )


@pytest.mark.both_backends  # unique constraints
def test_a_known_address_gets_its_card_back_and_a_visit_without_a_second_card(
    core: Core, demo: dict[str, Any]
) -> None:
    spot = hotspot(core)
    again = visit(
        core, spot, "n1", guest(email="Anna@Example.com", first_name="Someone"), mac="02:00:00:00:00:01"
    )
    assert again.outcome is VisitOutcome.EXISTING
    # Whoever typed Anna's address learns nothing of her card, speaks for her in no consent, and
    # their device is not taken for hers.
    assert again.card_number is None
    assert count(core, Customer, Customer.email == "anna@example.com") == 1
    assert count(core, WifiVisit, WifiVisit.new_customer.is_(False), WifiVisit.device_mac.is_(None)) == 1
    assert count(core, ConsentRecord, ConsentRecord.source == "wifi") == 0
    with core.db.read() as session:
        assert recognize(session, get_hotspot(session, spot.merchant_id, "cafe"), "02:00:00:00:00:01") is None


def test_an_unticked_marketing_box_withdraws_nothing_from_a_known_guest(
    core: Core, demo: dict[str, Any]
) -> None:
    spot = hotspot(core)
    visit(core, spot, "n1", guest(marketing=True))
    visit(core, spot, "n2", guest(marketing=False))
    with core.db.read() as session:
        lena = session.scalar(select(Customer).where(Customer.email == "lena@example.com"))
        assert lena is not None and lena.marketing_consent


def test_a_device_seen_before_is_recognised_and_returns_in_one_tap(core: Core, demo: dict[str, Any]) -> None:
    spot = hotspot(core)
    visit(core, spot, "n1", guest())
    with core.db.read() as session:
        fresh = get_hotspot(session, spot.merchant_id, "cafe")
        assert recognize(session, fresh, "aa:bb:cc:00:11:22") == recognize(session, fresh, PHONE_MAC)
        known = recognize(session, fresh, PHONE_MAC)
        assert known is not None and not known.needs_consent
        assert recognize(session, fresh, "02:00:00:00:00:99") is None
    back = visit(core, spot, "n2", None)
    assert back.outcome is VisitOutcome.RETURNING and back.card_number is None
    assert count(core, WifiVisit) == 2 and count(core, Customer, Customer.email == "lena@example.com") == 1


def test_an_unknown_device_cannot_return_in_one_tap(core: Core, demo: dict[str, Any]) -> None:
    spot = hotspot(core)
    with pytest.raises(Invalid) as refused:
        visit(core, spot, "n1", None, mac="02:00:00:00:00:99")
    assert refused.value.code == "unknown_device"
    assert count(core, WifiVisit) == 0


def test_changed_terms_must_be_accepted_again_before_one_tap(core: Core, demo: dict[str, Any]) -> None:
    spot = hotspot(core)
    visit(core, spot, "n1", guest())
    update_hotspot(core.db, spot.merchant_id, "cafe", options=HotspotOptions(terms_version="2"))
    with core.db.read() as session:
        known = recognize(session, get_hotspot(session, spot.merchant_id, "cafe"), PHONE_MAC)
        assert known is not None and known.needs_consent
    with pytest.raises(Invalid) as refused:
        visit(core, spot, "n2", None)
    assert refused.value.code == "consent_required"
    back = visit(core, spot, "n3", None, accepted=True)
    assert back.outcome is VisitOutcome.RETURNING
    assert (
        count(core, ConsentRecord, ConsentRecord.kind == ConsentKind.TERMS, ConsentRecord.version == "2") == 1
    )


@pytest.mark.parametrize(
    ("contact", "changes", "code"),
    [
        (ContactRequired.EMAIL, {"email": None, "phone": "+47 912 34 567"}, "invalid_email"),
        (ContactRequired.PHONE, {"phone": None}, "phone_required"),
        (ContactRequired.EITHER, {"email": None, "phone": None}, "contact_required"),
        (ContactRequired.EITHER, {"email": "not-an-address"}, "invalid_email"),
        (ContactRequired.EMAIL, {"first_name": " "}, "invalid_first_name"),
        (ContactRequired.EMAIL, {"first_name": "Visit evil.example now"}, "invalid_first_name"),
        (ContactRequired.EMAIL, {"first_name": "0000"}, "invalid_first_name"),
        (ContactRequired.EMAIL, {"terms": False}, "terms_required"),
        (ContactRequired.EMAIL, {"privacy": False}, "privacy_required"),
    ],
)
def test_the_venue_chooses_the_contact_detail_and_broken_rules_store_nothing(
    core: Core, demo: dict[str, Any], contact: ContactRequired, changes: dict[str, Any], code: str
) -> None:
    spot = hotspot(core, contact=contact)
    with pytest.raises(Invalid) as refused:
        visit(core, spot, "n1", guest(**changes))
    assert refused.value.code == code
    assert count(core, WifiVisit) == 0 and count(core, Customer, Customer.first_name == "Lena") == 0


def test_a_phone_only_venue_signs_up_and_recognises_by_phone(core: Core, demo: dict[str, Any]) -> None:
    spot = hotspot(core, contact=ContactRequired.PHONE)
    first = visit(core, spot, "n1", guest(email=None, phone="+47 912 34 567"))
    again = visit(core, spot, "n2", guest(email=None, phone="+47 912 34 567"), mac="02:00:00:00:00:02")
    assert first.outcome is VisitOutcome.CREATED and again.outcome is VisitOutcome.EXISTING
    assert again.card_number is None and count(core, Customer, Customer.phone == "+47 912 34 567") == 1


def test_settings_are_checked_for_their_controller(core: Core, demo: dict[str, Any]) -> None:
    with pytest.raises(InvalidFields) as refused:
        create_hotspot(
            core.db, merchant_id(core), "MAIN", HotspotKind.OPENNDS, {**OPENNDS, "faskey": "1234567890"}
        )
    assert "faskey" in refused.value.fields
    with pytest.raises(InvalidFields) as refused:
        create_hotspot(core.db, merchant_id(core), "MAIN", HotspotKind.MERAKI, {"mode": "sign-on"})
    assert "username" in refused.value.fields
    with pytest.raises(InvalidFields):
        create_hotspot(core.db, merchant_id(core), "MAIN", HotspotKind.MIKROTIK, {"router_address": "a b"})
    with pytest.raises(Invalid) as unknown:
        create_hotspot(core.db, merchant_id(core), "NOWHERE", HotspotKind.OPENNDS, OPENNDS)
    assert unknown.value.code == "unknown_store"
    with pytest.raises(Invalid) as bad:
        create_hotspot(
            core.db,
            merchant_id(core),
            "MAIN",
            HotspotKind.OPENNDS,
            OPENNDS,
            HotspotOptions(session_minutes=0),
        )
    assert bad.value.code == "invalid_session_minutes"


def test_merchants_manage_hotspots_through_the_api_and_never_read_a_secret_back(
    api: FlaskClient, demo: dict[str, Any]
) -> None:
    key = {"Authorization": f"Bearer {demo['api_key']}"}
    made = api.post(
        "/api/v1/hotspots",
        json={
            "id": "bar",
            "store": "STATION",
            "kind": "coova",
            "settings": {"uamsecret": "s3cret", "username": "u", "password": "p"},
            "session_minutes": 90,
        },
        headers=key,
    )
    assert made.status_code == 201, made.json
    assert made.json["settings"] == {"uamsecret": "********", "username": "u", "password": "********"}
    assert made.json["splash_path"] == "/wifi/bar" and made.json["session_minutes"] == 90

    changed = api.patch(
        "/api/v1/hotspots/bar", json={"settings": {**made.json["settings"], "username": "v"}}, headers=key
    )
    assert changed.status_code == 200 and changed.json["settings"]["username"] == "v"
    site = api.get("/api/v1/wifi/hotspots/bar", environ_base={"loyalty_core.trusted_site": True})
    assert site.json["settings"] == {"uamsecret": "s3cret", "username": "v", "password": "p"}

    listed = api.get("/api/v1/hotspots", headers=key).json["hotspots"]
    assert [each["id"] for each in listed] == [
        "demo-opennds",
        "demo-meraki",
        "demo-unifi",
        "demo-mikrotik",
        "demo-coova",
        "bar",
    ]
    assert all("********" in json.dumps(each["settings"]) or each["kind"] == "meraki" for each in listed)

    wrong = api.post("/api/v1/hotspots", json={"store": "MAIN", "kind": "unifi", "settings": {}}, headers=key)
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "invalid_settings"
    assert "controller_url" in wrong.json["error"]["fields"]
    taken = api.post(
        "/api/v1/hotspots",
        json={"id": "bar", "store": "MAIN", "kind": "meraki", "settings": {"mode": "click-through"}},
        headers=key,
    )
    assert taken.status_code == 409 and taken.json["error"]["code"] == "hotspot_exists"


@pytest.mark.parametrize(
    "address", ["192.168.1.1", "gw.example", "[fd00::1]", "192.168.1.1:", "192.168.1.1:99999"]
)
def test_an_opennds_gateway_address_without_its_port_is_refused_at_save(
    api: FlaskClient, demo: dict[str, Any], address: str
) -> None:
    """openNDS writes gatewayaddress as ip:port: without the port no redirect would ever match,
    and the grant would go to port 80, where the gateway does not listen."""
    key = {"Authorization": f"Bearer {demo['api_key']}"}
    settings = {**OPENNDS, "gateway_address": address}
    made = api.post(
        "/api/v1/hotspots", json={"store": "MAIN", "kind": "opennds", "settings": settings}, headers=key
    )
    assert made.status_code == 422 and made.json["error"]["code"] == "invalid_settings"
    assert made.json["error"]["fields"]["gateway_address"] == [
        "Write the gateway's address as ip:port, e.g. 192.168.1.1:2050."
    ]
    changed = api.patch("/api/v1/hotspots/demo-opennds", json={"settings": settings}, headers=key)
    assert changed.status_code == 422 and "gateway_address" in changed.json["error"]["fields"]


def test_the_splash_endpoints_are_the_site_s_alone(
    api: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    merchant_key = {"Authorization": f"Bearer {demo['api_key']}"}
    assert (
        api.get("/api/v1/wifi/hotspots/demo-opennds", headers=merchant_key).json["error"]["code"]
        == "site_only"
    )
    assert api.get("/api/v1/wifi/hotspots/demo-opennds").status_code == 401
    site_key = {"Authorization": f"Bearer {create_api_key(core.db, None)}"}
    assert (
        api.get("/api/v1/wifi/hotspots/demo-opennds", headers=site_key).json["settings"]["faskey"]
        == "demoFasKey2026"
    )
    assert api.get("/api/v1/wifi/hotspots/nowhere", headers=site_key).status_code == 404


def test_another_merchant_s_key_cannot_see_or_change_a_hotspot(
    api: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    other = create_merchant(core.db, "other", "Other shop")
    create_store(core.db, other.id, "MAIN", "Other main")
    key = {"Authorization": f"Bearer {create_api_key(core.db, other.id)}"}
    assert api.get("/api/v1/hotspots/demo-opennds", headers=key).status_code == 404
    assert api.patch("/api/v1/hotspots/demo-opennds", json={"enabled": False}, headers=key).status_code == 404
    assert api.get("/api/v1/hotspots", headers=key).json == {"hotspots": [], "next_cursor": None}


@pytest.mark.both_backends  # the idempotency record's unique constraint
def test_a_visit_is_recorded_once_per_splash_state(api: FlaskClient, demo: dict[str, Any]) -> None:
    site = {"loyalty_core.trusted_site": True}
    body = {
        "nonce": "abc",
        "device_mac": PHONE_MAC,
        "first_name": "Lena",
        "email": "lena@example.com",
        "terms": True,
        "privacy": True,
    }
    headers = {"Idempotency-Key": "wifi:abc"}
    first = api.post(
        "/api/v1/wifi/hotspots/demo-opennds/visits", json=body, headers=headers, environ_base=site
    )
    again = api.post(
        "/api/v1/wifi/hotspots/demo-opennds/visits", json=body, headers=headers, environ_base=site
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json == again.json and again.headers["Idempotent-Replayed"] == "true"
    assert first.json["outcome"] == "created"
    device = api.get(f"/api/v1/wifi/hotspots/demo-opennds/devices/{PHONE_MAC}", environ_base=site)
    assert device.json == {"needs_consent": False}  # a MAC proves nothing: no name


def test_a_switched_off_hotspot_lets_nobody_online(
    api: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    update_hotspot(core.db, merchant_id(core), "demo-coova", options=HotspotOptions(enabled=False))
    body = {"nonce": "abc", "first_name": "Lena", "email": "lena@example.com", "terms": True, "privacy": True}
    answer = api.post(
        "/api/v1/wifi/hotspots/demo-coova/visits",
        json=body,
        headers={"Idempotency-Key": "wifi:abc"},
        environ_base={"loyalty_core.trusted_site": True},
    )
    assert answer.status_code == 404


@pytest.mark.both_backends  # deletes by dates compared in SQL
def test_wifi_only_guests_are_erased_after_the_venue_s_retention(core: Core, demo: dict[str, Any]) -> None:
    spot = hotspot(core, guest_retention_days=30)
    long_ago = utcnow() - timedelta(days=31)
    with core.db.write() as session:
        fresh = get_hotspot(session, spot.merchant_id, "cafe")
        for index, name in enumerate(["Gone", "Buyer", "Member", "Recent"]):
            connect(
                core.db,
                session,
                fresh,
                Arrival(f"n{index}", f"02:00:00:00:00:0{index}", "10.0.0.9"),
                guest(first_name=name, email=f"{name.lower()}@example.com"),
                now=long_ago,
            )
    numbers = {}
    with core.db.read() as session:
        for name in ("Gone", "Buyer", "Member", "Recent"):
            numbers[name] = session.scalar(
                select(Card.number).join(Card.customer).where(Customer.first_name == name)
            )
    with core.db.write() as session:
        record_operation(
            session,
            spot.merchant_id,
            numbers["Buyer"],
            OperationRequest(OperationKind.EARN_POINTS, 5, "MAIN"),
        )
    set_password(core.db, core.passwords, spot.merchant_id, numbers["Member"], "member-password")
    visit(core, spot, "later", None, mac="02:00:00:00:00:03")

    assert purge_wifi_guests(core.db) == 1
    with core.db.read() as session:
        gone = session.scalar(
            select(Customer).join(Card, Card.customer_id == Customer.id).where(Card.number == numbers["Gone"])
        )
        assert gone is not None and gone.deleted_at is not None and gone.email is None
        assert session.scalar(select(WifiVisit.device_mac).where(WifiVisit.customer_id == gone.id)) is None
        kept = session.scalars(select(Customer.first_name).where(Customer.deleted_at.is_(None))).all()
        assert {"Buyer", "Member", "Recent"} <= set(kept)
    assert purge_wifi_guests(core.db) == 0


def test_mac_addresses_are_read_however_a_controller_writes_them() -> None:
    assert normalize_mac("AA-BB-CC-DD-EE-FF") == "aa:bb:cc:dd:ee:ff"
    assert normalize_mac("aabb.ccdd.eeff") == "aa:bb:cc:dd:ee:ff"
    assert normalize_mac("not a mac") is None and normalize_mac(None) is None


@pytest.mark.both_backends  # deletes by dates compared in SQL
def test_cli_creates_and_lists_hotspots_and_purges(core_app: Flask, demo: dict[str, Any]) -> None:
    runner = core_app.test_cli_runner()
    made = runner.invoke(
        args=[
            "core",
            "create-hotspot",
            "demo",
            "MAIN",
            "meraki",
            "--id",
            "lobby",
            "--settings",
            '{"mode": "click-through"}',
            "--session-minutes",
            "30",
        ]
    )
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["splash"] == "/wifi/lobby"
    bad = runner.invoke(args=["core", "create-hotspot", "demo", "MAIN", "coova", "--settings", "{}"])
    assert bad.exit_code != 0 and "uamsecret" in bad.output
    not_json = runner.invoke(args=["core", "create-hotspot", "demo", "MAIN", "coova", "--settings", "{"])
    assert not_json.exit_code != 0 and "not JSON" in not_json.output
    listed = json.loads(runner.invoke(args=["core", "hotspots", "demo"]).stdout)
    assert "lobby" in [each["id"] for each in listed]
    assert all(each["settings"].get("faskey") in (None, "********") for each in listed)
    purged = runner.invoke(args=["core", "purge-wifi-guests"])
    assert purged.exit_code == 0 and "erased: 0" in purged.output


def test_changing_a_controller_s_address_asks_for_its_secrets_again(core: Core, demo: dict[str, Any]) -> None:
    merchant = merchant_id(core)
    with pytest.raises(InvalidFields) as refused:
        update_hotspot(
            core.db, merchant, "demo-unifi", settings={"controller_url": "https://attacker.example"}
        )
    assert "password" in refused.value.fields
    moved = update_hotspot(
        core.db,
        merchant,
        "demo-unifi",
        settings={"controller_url": "https://new.example", "password": "fresh-one"},
    )
    assert moved.settings["password"] == "fresh-one"
    kept = update_hotspot(
        core.db, merchant, "demo-unifi", settings={"username": "someone", "password": "********"}
    )
    assert kept.settings["password"] == "fresh-one"  # same address: a masked secret is kept
