"""Customer groups: the admin's named sets of customers, which a coupon or a campaign can be for.
A manual group holds the customers added to it (by a card's number: the customer, whatever card
they carry later); a filter group keeps a search of the customers list (services/customer_filters)
and holds whoever it finds when asked. Either way membership is a condition on the customer
(`customer_filters.in_group`), so lists, exports and targeting ask the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..database import Database
from ..errors import Conflict, Invalid, InvalidAtFields
from ..models import Campaign, Coupon, Customer, CustomerGroup, GroupKind, StaffLevel, customer_group_members
from . import cursors, unique_or, utcnow
from .cards import get_card
from .customer_filters import find_group, in_group, saved_search
from .merchants import find_store
from .staff import StaffScope

PAGE_SIZE = 50
MAX_NAME = 200


@dataclass(frozen=True)
class GroupDetails:
    name: str
    kind: GroupKind = GroupKind.MANUAL
    search: Any = None  # a filter group's saved search (JSON); a manual group has none


class InvalidGroup(InvalidAtFields):
    def __init__(self, problems: dict[str, tuple[str, str]]) -> None:
        super().__init__("invalid_customer_group", problems)


@dataclass(frozen=True)
class GroupPage:
    groups: list[CustomerGroup]
    next_cursor: str | None  # None: this is the last page


def _checked(session: Session, merchant_id: int, details: GroupDetails) -> tuple[str, dict[str, Any] | None]:
    problems: dict[str, tuple[str, str]] = {}
    name = details.name.strip()
    if not 1 <= len(name) <= MAX_NAME:
        problems["name"] = ("invalid_name", f"A name is 1-{MAX_NAME} characters.")
    search = None
    if details.kind is GroupKind.FILTER:
        try:
            found = saved_search(details.search)
            if (
                found.filters.store is not None
                and find_store(session, merchant_id, found.filters.store) is None
            ):
                raise Invalid("unknown_store", "No such store.")
            search = found.saved()
        except Invalid as wrong:
            problems["search"] = (wrong.code, wrong.message)
    elif details.search is not None:
        problems["search"] = ("invalid_search", "A manual group keeps no search: its members are added.")
    if problems:
        raise InvalidGroup(problems)
    return name, search


def _saved(session: Session, group: CustomerGroup, name: str, search: dict[str, Any] | None) -> CustomerGroup:
    """In a savepoint: a name taken (even by a create racing this one) is a Conflict, not a broken
    transaction."""
    with unique_or(session, Conflict("customer_group_exists", f"A customer group '{name}' exists already.")):
        group.name, group.search = name, search
        session.add(group)
    return group


def add_group(session: Session, scope: StaffScope, details: GroupDetails) -> CustomerGroup:
    """Inside the caller's write transaction (the API's idempotent write)."""
    scope.require(StaffLevel.ADMIN)
    name, search = _checked(session, scope.merchant_id, details)
    group = CustomerGroup(merchant_id=scope.merchant_id, kind=details.kind, created_at=utcnow())
    return _saved(session, group, name, search)


def new_group(db: Database, scope: StaffScope, details: GroupDetails) -> CustomerGroup:
    with db.write() as session:
        return add_group(session, scope, details)


def get_group(session: Session, scope: StaffScope, group_id: int) -> CustomerGroup:
    scope.require(StaffLevel.ADMIN)
    return find_group(session, scope.merchant_id, group_id)


def change_group(session: Session, scope: StaffScope, group_id: int, details: GroupDetails) -> CustomerGroup:
    """Renamed, and a filter group's search replaced; a group keeps its kind."""
    group = get_group(session, scope, group_id)
    if details.kind is not group.kind:
        raise Invalid("group_kind_fixed", "A group keeps its kind: make a new group instead.")
    return _saved(session, group, *_checked(session, scope.merchant_id, details))


def remove_group(session: Session, scope: StaffScope, group_id: int) -> None:
    """The group and its list of members go; the customers stay. A group a coupon or a campaign
    is for is refused (Conflict `group_in_use`, naming them): deleting it would silently make
    them everyone's."""
    group = get_group(session, scope, group_id)
    users = [
        *session.scalars(select(Coupon.title).where(Coupon.group_id == group.id).order_by(Coupon.id)),
        *session.scalars(select(Campaign.name).where(Campaign.group_id == group.id).order_by(Campaign.id)),
    ]
    if users:
        raise Conflict(
            "group_in_use",
            f"Coupons or campaigns are for this group: {', '.join(users[:5])}. Choose another group for "
            "them, or delete them, first.",
        )
    session.delete(group)
    session.flush()


def list_groups(
    session: Session, scope: StaffScope, cursor: str | None = None, limit: int = PAGE_SIZE
) -> GroupPage:
    """The groups, oldest first; a page ends where `next_cursor` goes on."""
    scope.require(StaffLevel.ADMIN)
    query = select(CustomerGroup).where(CustomerGroup.merchant_id == scope.merchant_id)
    if cursor is not None:
        query = query.where(CustomerGroup.id > cursors.decode_id("cg", cursor))
    rows = list(session.scalars(query.order_by(CustomerGroup.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return GroupPage(rows, cursors.encode("cg", rows[-1].id) if more else None)


def all_groups(session: Session, merchant_id: int) -> list[CustomerGroup]:
    """For a form's choice of group: every group, by name."""
    return list(
        session.scalars(
            select(CustomerGroup).where(CustomerGroup.merchant_id == merchant_id).order_by(CustomerGroup.name)
        )
    )


def count_members(session: Session, group: CustomerGroup) -> int:
    condition = in_group(session, group.merchant_id, group.id)
    query = (
        select(func.count()).select_from(Customer).where(Customer.merchant_id == group.merchant_id, condition)
    )
    return session.scalar(query) or 0


def is_member(session: Session, merchant_id: int, group_id: int, customer_id: int) -> bool:
    condition = in_group(session, merchant_id, group_id)
    return bool(session.scalar(select(exists().where(Customer.id == customer_id, condition))))


def _manual(session: Session, scope: StaffScope, group_id: int) -> CustomerGroup:
    group = get_group(session, scope, group_id)
    if group.kind is not GroupKind.MANUAL:
        raise Invalid(
            "group_not_manual", "This group's members are whoever its search finds: change its search."
        )
    return group


def add_member(session: Session, scope: StaffScope, group_id: int, number: str) -> Customer:
    """The customer of the card numbered `number` joins the manual group (again: nothing changes).
    A card of another merchant is no such card."""
    group = _manual(session, scope, group_id)
    customer = get_card(session, scope.merchant_id, number).customer
    members = customer_group_members.c
    joined = select(members.group_id).where(members.group_id == group.id, members.customer_id == customer.id)
    if session.scalar(joined) is None:
        try:  # two adds at once: the second finds the row the first inserted
            with session.begin_nested():
                session.execute(
                    customer_group_members.insert().values(group_id=group.id, customer_id=customer.id)
                )
        except IntegrityError:
            pass
    return customer


def remove_member(session: Session, scope: StaffScope, group_id: int, number: str) -> Customer:
    """The card's customer leaves the manual group (not in it: nothing changes)."""
    group = _manual(session, scope, group_id)
    customer = get_card(session, scope.merchant_id, number).customer
    members = customer_group_members.c
    session.execute(
        delete(customer_group_members).where(members.group_id == group.id, members.customer_id == customer.id)
    )
    return customer


def manual_groups_of(session: Session, scope: StaffScope, customer_id: int) -> list[CustomerGroup]:
    """The manual groups the customer was added to, by name (for the customer card)."""
    scope.require(StaffLevel.ADMIN)
    members = customer_group_members.c
    return list(
        session.scalars(
            select(CustomerGroup)
            .join(customer_group_members, members.group_id == CustomerGroup.id)
            .where(CustomerGroup.merchant_id == scope.merchant_id, members.customer_id == customer_id)
            .order_by(CustomerGroup.name)
        )
    )
