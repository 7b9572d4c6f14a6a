# The README's commands. Everything installs into .venv from the pinned requirements.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app storefront
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run worker test lint format seed migrate translations bench clean setup setup-dev i18n-update

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

setup: $(VENV)/.runtime translations
setup-dev: $(VENV)/.dev translations

# Compile the Vietnamese catalogues (the .mo files are not committed).
translations: | $(VENV)/.runtime
	@$(BIN)/pybabel compile --use-fuzzy --statistics -d storefront/translations
	@$(BIN)/pybabel compile -D wtforms -d storefront/core/wtforms_translations

migrate: setup
	mkdir -p instance
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo

run: seed
	$(BIN)/gunicorn --workers 2 --threads 4 --bind $(HOST):$(PORT) --access-logfile - "storefront:create_app()"

# A Celery worker with the beat scheduler embedded, for a deployment that has Redis
# (CELERY_BROKER_URL or REDIS_URL). Several machines: run `worker` anywhere, `beat` once
# (see the Procfile).
worker: migrate
	@if [ -z "$$CELERY_BROKER_URL$$REDIS_URL" ]; then \
		echo "make worker needs CELERY_BROKER_URL or REDIS_URL (without them tasks run inside the web process)"; \
		exit 1; fi
	$(BIN)/celery -A storefront.tasks.worker worker --beat --loglevel INFO \
		--schedule instance/celerybeat-schedule

# Both cores: one pytest-xdist worker per core, each on a database of its own (tests/conftest.py);
# the browser journeys stay together on one worker (--dist loadgroup, see tests/conftest.py).
PYTEST_WORKERS ?= auto
# Bytecode is cached even where the environment says not to (PYTHONDONTWRITEBYTECODE): every
# xdist worker, shop server and Celery worker a run starts would otherwise compile the shop,
# its tests and the plugins pytest rewrites again (a one-test run: 13.5 s, 8.5 s cached).
test: setup-dev
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -c pyproject.toml -r storefront config.py --severity-level medium

format: setup-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Refresh the Vietnamese catalogue from the code and templates, then fill in the empty
# msgstr lines of storefront/translations/vi/LC_MESSAGES/messages.po and run `make translations`.
i18n-update: | $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--ignore-dirs ".*" \
		-o storefront/translations/messages.pot storefront templates
	$(BIN)/pybabel update --no-fuzzy-matching -i storefront/translations/messages.pot \
		-d storefront/translations -l vi
	rm -f storefront/translations/messages.pot
