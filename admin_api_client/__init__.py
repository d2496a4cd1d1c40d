"""Typed client of the loyalty-portal admin core API. Imports nothing from Flask or the core."""

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
from .models import ActivationTicket, Balances, Card, Merchant, Operation

__all__ = [
    "ActivationTicket",
    "Balances",
    "Card",
    "Conflict",
    "CoreClient",
    "CoreError",
    "Gone",
    "Invalid",
    "Merchant",
    "NotFound",
    "Operation",
    "Unauthorized",
    "Unavailable",
]
