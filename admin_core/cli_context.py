"""The core a `flask core …` command works on: the app it runs under, or, in the embedded
deployment, the core the site keeps under CORE_APP_EXTENSION."""

from __future__ import annotations

from flask import Flask, current_app

from .context import EXTENSION, Core

CORE_APP_EXTENSION = "loyalty_core.app"


def command_core_app() -> Flask:
    embedded: Flask | None = current_app.extensions.get(CORE_APP_EXTENSION)
    return embedded or current_app._get_current_object()  # type: ignore[attr-defined]


def command_core() -> Core:
    core: Core = command_core_app().extensions[EXTENSION]
    return core
