"""The merchant of a /p/<m>/ page, as the core describes it, kept a few seconds per process.

Every portal page needs it (its look, its languages, whether the portal is on): asked of the core
on each, it was a third of a dashboard's cost. Kept, a change the merchant's staff make (a portal
switched off or on included) reaches each worker of the site within `PORTAL_MERCHANT_CACHE_SECONDS`
(5 by default; 0 asks every time). Only merchants the core knows are kept, so their number bounds
it; an unknown name is asked again each time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app

from admin_api_client import Merchant

from .core import core_client
from .settings import site_settings

MERCHANTS_EXTENSION = "loyalty_portal.merchants"
DEFAULT_SECONDS = 5.0


@dataclass
class MerchantCache:
    clock: Callable[[], float] = time.monotonic
    _kept: dict[str, tuple[float, Merchant]] = field(default_factory=dict)

    def get(self, slug: str, seconds: float, fetch: Callable[[], Merchant]) -> Merchant:
        """The merchant kept for `slug` if younger than `seconds`, else `fetch()`ed (and kept).
        Concurrent misses may each fetch: the last answer is kept, all are the core's."""
        now = self.clock()
        kept = self._kept.get(slug)
        if kept is not None and now - kept[0] < seconds:
            return kept[1]
        merchant = fetch()
        if seconds > 0:
            self._kept[slug] = (now, merchant)
        return merchant

    def slugs(self) -> set[str]:
        return set(self._kept)

    def clear(self) -> None:
        self._kept.clear()


def init_merchants(app: Flask) -> None:
    app.extensions[MERCHANTS_EXTENSION] = MerchantCache()


def portal_merchant(slug: str) -> Merchant:
    """The merchant named `slug`; NotFound (from the client) when the core knows none."""
    cache: MerchantCache = current_app.extensions[MERCHANTS_EXTENSION]
    seconds = site_settings(current_app).merchant_cache_seconds
    return cache.get(slug, seconds, lambda: core_client().for_merchant(slug).get_merchant())
