"""The core's tables. Money is in minor units (cents) of the merchant's currency."""

from .accounts import (
    Card,
    Customer,
    CustomerSource,
    Merchant,
    Operation,
    OperationKind,
    Store,
    TokenPurpose,
    stored_enum,
)
from .infrastructure import ApiKey, EndedSession, IdempotencyRecord, OutboundMail, PortalToken
from .program import (
    Campaign,
    ConsentKind,
    ConsentRecord,
    Coupon,
    Pass,
    Reward,
    RewardPicture,
    Tier,
    Voucher,
    VoucherStatus,
)
from .staff import CustomerImport, ImportStatus, MerchantLogo, Staff, StaffLevel
from .wallet import WalletPass, WalletPush, WalletRegistration, WalletSettings
from .wifi import ContactRequired, Hotspot, HotspotKind, WifiVisit

__all__ = [
    "ApiKey",
    "Campaign",
    "Card",
    "ConsentKind",
    "ConsentRecord",
    "ContactRequired",
    "Coupon",
    "Customer",
    "CustomerImport",
    "CustomerSource",
    "EndedSession",
    "Hotspot",
    "HotspotKind",
    "IdempotencyRecord",
    "ImportStatus",
    "Merchant",
    "MerchantLogo",
    "Operation",
    "OperationKind",
    "OutboundMail",
    "Pass",
    "PortalToken",
    "Reward",
    "RewardPicture",
    "Staff",
    "StaffLevel",
    "Store",
    "Tier",
    "TokenPurpose",
    "Voucher",
    "VoucherStatus",
    "WalletPass",
    "WalletPush",
    "WalletRegistration",
    "WalletSettings",
    "WifiVisit",
    "stored_enum",
]
