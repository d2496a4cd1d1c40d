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
from .bonuses import ProgramBonuses
from .coupon_uses import CouponUse
from .customer_groups import CustomerGroup, GroupKind, customer_group_members
from .infrastructure import ApiKey, EndedSession, IdempotencyRecord, OutboundMail, PortalToken
from .pass_kinds import PassKind
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
from .stamp_cards import StampCard, StampProgress
from .store_groups import StoreGroup
from .wallet import WalletPass, WalletPush, WalletRegistration, WalletSettings
from .wallet_google import GoogleWalletObject, GoogleWalletSettings
from .wifi import ContactRequired, Hotspot, HotspotKind, WifiVisit
from .wifi_grants import WifiGateway, WifiGatewayGrant

__all__ = [
    "ApiKey",
    "Campaign",
    "Card",
    "ConsentKind",
    "ConsentRecord",
    "ContactRequired",
    "Coupon",
    "CouponUse",
    "Customer",
    "CustomerGroup",
    "CustomerImport",
    "CustomerSource",
    "EndedSession",
    "GoogleWalletObject",
    "GoogleWalletSettings",
    "GroupKind",
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
    "PassKind",
    "PortalToken",
    "ProgramBonuses",
    "Reward",
    "RewardPicture",
    "Staff",
    "StaffLevel",
    "StampCard",
    "StampProgress",
    "Store",
    "StoreGroup",
    "Tier",
    "TokenPurpose",
    "Voucher",
    "VoucherStatus",
    "WalletPass",
    "WalletPush",
    "WalletRegistration",
    "WalletSettings",
    "WifiGateway",
    "WifiGatewayGrant",
    "WifiVisit",
    "customer_group_members",
    "stored_enum",
]
