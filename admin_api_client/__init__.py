"""Typed client of the loyalty-portal admin core API. Imports nothing from Flask or the core."""

from loyalty_common.tickets import (
    ActivationTicket,
    ActiveCardNotice,
    EmailChangeTicket,
    ResetLink,
    ResetTicket,
)

from .client import CoreClient
from .errors import (
    Conflict,
    CoreError,
    Gone,
    Invalid,
    NotFound,
    Unauthorized,
    Unavailable,
)
from .models import (
    Balances,
    Card,
    Coupon,
    HistoryEntry,
    HistoryPage,
    Merchant,
    Offers,
    Operation,
    Pass,
    Profile,
    Signup,
)
from .program import Campaign, Catalogue, Dashboard, Reward, TierProgress, Voucher, VoucherResult
from .wifi import ConfirmedCard, Guest, Hotspot, Splash, Visit, Wordings
from .wifi_grants import AcknowledgedVisit, GatewayGrant, GrantState, HeldGrant

__all__ = [
    "AcknowledgedVisit",
    "ActivationTicket",
    "ActiveCardNotice",
    "Balances",
    "Campaign",
    "Card",
    "Catalogue",
    "ConfirmedCard",
    "Conflict",
    "CoreClient",
    "CoreError",
    "Coupon",
    "Dashboard",
    "EmailChangeTicket",
    "GatewayGrant",
    "Gone",
    "GrantState",
    "Guest",
    "HeldGrant",
    "HistoryEntry",
    "HistoryPage",
    "Hotspot",
    "Invalid",
    "Merchant",
    "NotFound",
    "Offers",
    "Operation",
    "Pass",
    "Profile",
    "ResetLink",
    "ResetTicket",
    "Reward",
    "Signup",
    "Splash",
    "TierProgress",
    "Unauthorized",
    "Unavailable",
    "Visit",
    "Voucher",
    "VoucherResult",
    "Wordings",
]
