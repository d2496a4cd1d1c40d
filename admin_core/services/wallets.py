"""Which wallets a merchant offers its customers: those it has uploaded credentials for."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import GoogleWalletSettings, WalletSettings


@dataclass(frozen=True)
class Wallets:
    apple: bool
    google: bool


def wallets_offered(session: Session, merchant_id: int) -> Wallets:
    """One statement, both answers."""
    apple = select(WalletSettings.merchant_id).where(WalletSettings.merchant_id == merchant_id).exists()
    google = (
        select(GoogleWalletSettings.merchant_id)
        .where(GoogleWalletSettings.merchant_id == merchant_id)
        .exists()
    )
    offered = session.execute(select(apple, google)).one()
    return Wallets(bool(offered[0]), bool(offered[1]))
