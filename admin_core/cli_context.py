"""The core a `flask core …` command works on: the app it runs under, or, in the embedded
deployment, the core the site keeps under CORE_APP_EXTENSION."""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType

from flask import Flask, current_app

from .context import EXTENSION, Core

CORE_APP_EXTENSION = "loyalty_core.app"


def command_core_app() -> Flask:
    embedded: Flask | None = current_app.extensions.get(CORE_APP_EXTENSION)
    return embedded or current_app._get_current_object()  # type: ignore[attr-defined]


def command_core() -> Core:
    core: Core = command_core_app().extensions[EXTENSION]
    return core


def stop_requested() -> Callable[[], bool]:
    """For a worker's loop: whether SIGTERM or SIGINT came, so that it stops between two jobs
    rather than in the middle of one."""
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return lambda: stopping
