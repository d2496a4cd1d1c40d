"""The API under generated requests: schemathesis draws requests from the OpenAPI document, valid
and not, for every operation, as a merchant's key, as the site and without a key. No request may
end in a server error, and every answer must be one the document describes (status, media type,
body). Half the requests name real things of the demo in their path (its card, a voucher, a
reward, a hotspot, a store...), so that they get past "not found" into the operation itself.

Bounded and seeded: a few examples per operation, derandomized, no example database, so that a
run takes about the same time and finds the same things on every machine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from admin_core.context import Core
from admin_core.models import Card, Coupon, Hotspot, Reward, Staff, StoreGroup, Voucher
from admin_core.services.merchants import create_api_key

# Examples per operation and caller: about a minute per backend for the three callers.
EXAMPLES = {"merchant": 12, "site": 12, "none": 3}
# Ids just past what a column holds: PostgreSQL's integer, SQLite's (and bigint's) 64 bits.
BEYOND = [2**31, 2**63]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def config(core: Core, demo: dict[str, Any]) -> SchemathesisConfig:
    """Half the time a path, body or header names a real thing of the demo (or an id just too
    large) instead of a made-up one. The generated requests carry no credentials: the caller's
    key is ours to send."""
    anna = demo["cards"][0]
    with core.db.read() as session:
        real = {
            "path.number": [anna["number"]],
            "body.card": [anna["number"]],
            "body.password": [anna["password"]],
            "body.store": [store["code"] for store in demo["stores"]],
            "path.code": [
                *session.scalars(select(Voucher.code)),
                *(store["code"] for store in demo["stores"]),
            ],
            "path.reward_id": [*session.scalars(select(Reward.id)), *BEYOND],
            "path.coupon_id": [*session.scalars(select(Coupon.id)), *BEYOND],
            "path.staff_id": [*session.scalars(select(Staff.id)), *BEYOND],
            "path.import_id": BEYOND,
            "path.group_id": [*session.scalars(select(StoreGroup.id)), *BEYOND],
            "path.public_id": list(session.scalars(select(Hotspot.public_id))),
            "header.X-Card-Version": [
                session.scalar(select(Card.credentials_version).where(Card.number == anna["number"]))
            ],
        }
    real = {key: values for key, values in real.items() if values}
    return SchemathesisConfig.from_dict(
        {
            "generation": {"with-security-parameters": False},
            "dictionaries": {key: {"values": values} for key, values in real.items()},
            "parameters": {key: {"dictionary": key, "probability": 0.5} for key in real},
        }
    )


def callers(core: Core, demo: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {
        "merchant": {"Authorization": f"Bearer {demo['api_key']}"},
        "site": {"Authorization": f"Bearer {create_api_key(core.db, None)}", "X-Merchant": "demo"},
        "none": {},
    }


def fuzz(operation: Any, headers: dict[str, str], examples: int) -> Callable[[], None]:
    """A Hypothesis test of one operation; it raises the smallest failing request it found."""
    strategy = st.one_of([operation.as_strategy(generation_mode=mode) for mode in GenerationMode])

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def test(case: Any) -> None:
        try:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as error:  # a check's failures come grouped
            raise AssertionError(
                f"{type(error).__name__}: {error}\n{case.as_curl_command(headers)}"
            ) from error

    return test


@pytest.mark.both_backends  # what each backend refuses differs (numbers too large for a column)
def test_generated_requests_with_a_merchant_key_on_each_backend(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    """The merchant's key reaches nearly every operation: the run that crosses the database."""
    generated_requests_get_no_server_error(core_app, core, demo, "merchant")


@pytest.mark.parametrize("caller", ["site", "none"])
def test_generated_requests_as_the_site_and_without_a_key(
    core_app: Flask, core: Core, demo: dict[str, Any], caller: str
) -> None:
    generated_requests_get_no_server_error(core_app, core, demo, caller)


def generated_requests_get_no_server_error(
    core_app: Flask, core: Core, demo: dict[str, Any], caller: str
) -> None:
    """Every operation, fuzzed as `caller`: no server error, every answer as documented."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", core_app, config=config(core, demo))
    headers = callers(core, demo)[caller]
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            fuzz(operation, headers, EXAMPLES[caller])()
        except AssertionError as error:
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
