"""The deployable WSGI app: the site, with the core mounted at /core unless ADMIN_CORE_URL is set."""

from composition import create_app

app = create_app()
