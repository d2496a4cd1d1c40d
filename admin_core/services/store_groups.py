"""Store groups: the admin's named sets of stores ("Milan shops"). Wherever a store is chosen, a
group can be: a choice is a store's code or `group:<id>`, and `stores_of` says which stores it
means. A group chosen is resolved when the choice is saved (a reward keeps the stores the group
had then, and shows them), so changing a group later changes nothing already chosen."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..database import MAX_ID, Database
from ..errors import Conflict, Invalid, InvalidAtFields, NotFound
from ..models import StaffLevel, Store, StoreGroup
from . import cursors, unique_or
from .merchants import find_store
from .staff import StaffScope
from .store_hours import Problem

GROUP_CHOICE = "group:"
PAGE_SIZE = 50
MAX_NAME = 200
MAX_MEMBERS = 1000


@dataclass(frozen=True)
class GroupDetails:
    name: str
    stores: tuple[str, ...] = ()  # store codes

    @classmethod
    def of(cls, group: StoreGroup) -> GroupDetails:
        return cls(group.name, tuple(store.code for store in group.stores))


class InvalidGroup(InvalidAtFields):
    def __init__(self, problems: dict[str, Problem]) -> None:
        super().__init__("invalid_store_group", problems)


@dataclass(frozen=True)
class GroupPage:
    groups: list[StoreGroup]
    next_cursor: str | None  # None: this is the last page


def group_choice(group: StoreGroup) -> str:
    return f"{GROUP_CHOICE}{group.id}"


def _group_of_choice(session: Session, merchant_id: int, choice: str) -> StoreGroup | None:
    text = choice.removeprefix(GROUP_CHOICE)
    if not (text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID):
        return None
    group = session.get(StoreGroup, int(text), options=[selectinload(StoreGroup.stores)])
    return group if group is not None and group.merchant_id == merchant_id else None


def stores_of(session: Session, merchant_id: int, choice: str) -> list[int]:
    """The ids of the stores a choice means: a store's code, or a group (`group:<id>`, its
    stores now). NotFound `unknown_store` / `unknown_store_group`, as for another merchant's."""
    if choice.startswith(GROUP_CHOICE):
        group = _group_of_choice(session, merchant_id, choice)
        if group is None:
            raise NotFound("unknown_store_group", "No such store group.")
        return [store.id for store in group.stores]
    store = find_store(session, merchant_id, choice)
    if store is None:
        raise NotFound("unknown_store", "No such store.")
    return [store.id]


def stores_in(session: Session, merchant_id: int, choices: Iterable[str]) -> list[Store]:
    """The stores of several choices, once each, by code. Nothing chosen: none (the caller's
    "every store"); groups chosen that hold no store are refused, never taken for "every store"."""
    wanted = sorted(set(choices))
    ids: set[int] = set()
    missing = []
    for choice in wanted:
        try:
            ids.update(stores_of(session, merchant_id, choice))
        except NotFound:
            missing.append(choice)
    if missing:
        raise NotFound("unknown_store", f"No such store: {', '.join(missing)}.")
    if wanted and not ids:
        raise Invalid("empty_store_group", "The groups chosen hold no store.")
    if not ids:
        return []
    return list(session.scalars(select(Store).where(Store.id.in_(ids)).order_by(Store.code)))


def _checked(session: Session, merchant_id: int, details: GroupDetails) -> tuple[str, list[Store]]:
    problems: dict[str, Problem] = {}
    name = details.name.strip()
    if not 1 <= len(name) <= MAX_NAME:
        problems["name"] = ("invalid_name", f"A name is 1-{MAX_NAME} characters.")
    codes = sorted(set(details.stores))
    stores: list[Store] = []
    if len(codes) > MAX_MEMBERS:
        problems["stores"] = ("too_many_stores", f"A group holds at most {MAX_MEMBERS} stores.")
    elif codes:
        stores = list(
            session.scalars(
                select(Store)
                .where(Store.merchant_id == merchant_id, Store.code.in_(codes))
                .order_by(Store.code)
            )
        )
        missing = set(codes) - {store.code for store in stores}
        if missing:
            problems["stores"] = ("unknown_store", f"No such store: {', '.join(sorted(missing))}.")
    if problems:
        raise InvalidGroup(problems)
    return name, stores


def _saved(session: Session, group: StoreGroup, name: str, stores: list[Store]) -> StoreGroup:
    """In a savepoint (a name taken is a Conflict, not a broken transaction); the changes are made
    inside it, as starting it flushes what is pending."""
    with unique_or(session, Conflict("store_group_exists", f"A group '{name}' exists already.")):
        group.name, group.stores = name, stores
        session.add(group)
    return group


def add_group(session: Session, scope: StaffScope, details: GroupDetails) -> StoreGroup:
    """Inside the caller's write transaction (the API's idempotent write)."""
    scope.require(StaffLevel.ADMIN)
    name, stores = _checked(session, scope.merchant_id, details)
    return _saved(session, StoreGroup(merchant_id=scope.merchant_id), name, stores)


def new_group(db: Database, scope: StaffScope, details: GroupDetails) -> StoreGroup:
    with db.write() as session:
        return add_group(session, scope, details)


def get_group(session: Session, scope: StaffScope, group_id: int, *, for_update: bool = False) -> StoreGroup:
    scope.require(StaffLevel.ADMIN)
    group = session.get(
        StoreGroup, group_id, with_for_update=for_update, options=[selectinload(StoreGroup.stores)]
    )
    if group is None or group.merchant_id != scope.merchant_id:
        raise NotFound("store_group_not_found", "No such store group.")
    return group


def update_group(db: Database, scope: StaffScope, group_id: int, details: GroupDetails) -> StoreGroup:
    """Renamed, its members as given (the stores no longer listed leave it)."""
    with db.write() as session:
        group = get_group(session, scope, group_id, for_update=True)
        return _saved(session, group, *_checked(session, scope.merchant_id, details))


def delete_group(db: Database, scope: StaffScope, group_id: int) -> None:
    """The group goes; its stores, and whatever was chosen through it, stay."""
    with db.write() as session:
        session.delete(get_group(session, scope, group_id, for_update=True))


def list_groups(
    session: Session, scope: StaffScope, cursor: str | None = None, limit: int = PAGE_SIZE
) -> GroupPage:
    """The groups, oldest first, with their stores; a page ends where `next_cursor` goes on."""
    scope.require(StaffLevel.ADMIN)
    query = (
        select(StoreGroup)
        .options(selectinload(StoreGroup.stores))
        .where(StoreGroup.merchant_id == scope.merchant_id)
    )
    if cursor is not None:
        query = query.where(StoreGroup.id > cursors.decode_id("g", cursor))
    rows = list(session.scalars(query.order_by(StoreGroup.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return GroupPage(rows, cursors.encode("g", rows[-1].id) if more else None)


def all_groups(session: Session, merchant_id: int) -> list[StoreGroup]:
    """For a form's choice of stores: every group, by name."""
    return list(
        session.scalars(
            select(StoreGroup).where(StoreGroup.merchant_id == merchant_id).order_by(StoreGroup.name)
        )
    )
