# The two commands: `make run` and `make test`. Everything else is here to serve them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
INSTALLED := $(VENV)/.installed
LOCALES := en it bg nb
DEMO_SMTP_PORT ?= 8025
DEMO_WIFI_PORT ?= 5001
# `make test` measures branch coverage; a targeted local `pytest tests/test_x.py` runs without it.
COVERAGE := --cov=admin_core --cov=admin_api_client --cov=portal --cov=captive --cov=loyalty_common --cov=composition --cov-branch \
  --cov-report=term:skip-covered
# pytest-xdist workers for `make test` (each with its own databases and SMTP port; a module stays
# on one worker). None by default: on the 2-core machine two workers were slower (80 s against
# 40 s for 153 tests), each building its own databases, demo and apps. More cores: TEST_WORKERS=4.
TEST_WORKERS ?= 0

.PHONY: run test install lint translations compile-translations chromium bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(INSTALLED) compile-translations instance/config.py

# A random secret for this checkout (development and the demo); production sets FLASK_SECRET_KEY.
instance/config.py:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > $@

# Serve the demo on the embedded SQLite database. Without FLASK_MAIL_SERVER set, e-mail goes to a
# local SMTP server that prints every message (and its activation link) in this terminal.
# The demo is served as production is configured: e-mailed links on the site's root, only its hosts.
run: export FLASK_SITE_URL ?= http://127.0.0.1:5000
run: export FLASK_TRUSTED_HOSTS ?= ["127.0.0.1", "localhost"]
run: install
	$(FLASK) core init-db
	$(FLASK) core demo --google-key-file instance/demo-google-service-account.json | tee instance/demo.json
	@echo
	@echo "  Customer portal:  http://127.0.0.1:5000/p/demo/"
	@echo "  Staff (till, coupons, figures, settings, import): http://127.0.0.1:5000/core/login?merchant=demo"
	@echo "  The venue's Wi-Fi (a Meraki access point played on loopback): http://127.0.0.1:$(DEMO_WIFI_PORT)/"
	@echo "    any page there leads through the splash sign-up, then online"
	@echo "  Admin core API:   http://127.0.0.1:5000/core/api/v1/openapi.json"
	@echo "  Demo cards, staff, passwords and the API key: above, and in instance/demo.json"
	@echo "  Save to Google Wallet: its JWT verifies with the local key in instance/demo-google-service-account.json (Google does not know it)"
	@echo
	@set -e; trap 'kill 0' INT TERM EXIT; \
	if [ -z "$$FLASK_MAIL_SERVER" ]; then \
	  export FLASK_MAIL_SERVER=127.0.0.1 FLASK_MAIL_PORT=$(DEMO_SMTP_PORT); \
	  $(BIN)/python -m aiosmtpd -n -l 127.0.0.1:$(DEMO_SMTP_PORT) -c aiosmtpd.handlers.Debugging stdout & \
	fi; \
	$(FLASK) core send-mail & \
	$(FLASK) core run-imports & \
	$(BIN)/python -m demo.access_point --site http://127.0.0.1:5000 --port $(DEMO_WIFI_PORT) & \
	FLASK_WIFI_MERAKI_DOMAINS="network-auth.com 127.0.0.1" \
	$(FLASK) run --debug --no-reload --host 127.0.0.1 --port 5000

test: install chromium
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope $(COVERAGE)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Browser tests use Debian's Chromium; install it where we are root, else they skip with a reason.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "Could not install chromium: browser tests will be skipped."; \
	  else echo "No chromium and not root: browser tests will be skipped."; fi; }

translations: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --project=loyalty-portal -o translations/messages.pot .
	for locale in $(LOCALES); do \
	  if [ -f translations/$$locale/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update --no-fuzzy-matching -i translations/messages.pot -d translations -l $$locale; \
	  else $(BIN)/pybabel init -i translations/messages.pot -d translations -l $$locale; fi; \
	done
	$(MAKE) compile-translations

compile-translations: $(INSTALLED)
	$(BIN)/pybabel compile --use-fuzzy -d translations -f --statistics 2>&1 | grep -v "^compiling" || true

bench: install
	$(BIN)/python bench/dashboard.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
