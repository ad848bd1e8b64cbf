# Two commands: `make run` (set up and serve with demo data) and `make test` (set up and test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# XStatic-Bootstrap's sdist still imports pkg_resources at build time, which setuptools 81 removed.
# pip 26.2+ applies only --build-constraint to build environments; older pips read PIP_CONSTRAINT.
export PIP_CONSTRAINT := $(CURDIR)/build-constraints.txt
export PIP_BUILD_CONSTRAINT := $(CURDIR)/build-constraints.txt
PIP_VERSION := 26.3
# `make run PORT=8080` or `PORT=8080 make run`; emailed links (SITE_URL) follow it unless SITE_URL is set.
PORT ?= 8000
export PORT
# The suite runs on two processes (pytest-xdist), a file's tests together: 14 minutes here against 36 on one.
# `make test PYTEST_ARGS=` runs it on one process; `make test PYTEST_ARGS="tests/surveys"` runs one folder.
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: run test install install-dev migrate serve worker beat lint format clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet pip==$(PIP_VERSION)

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A config worker --loglevel=info

beat: install
	$(BIN)/celery -A config beat --loglevel=info

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh locale/cy/LC_MESSAGES/django.po from the code and templates, then compile the .mo (committed).
# Extraction needs GNU gettext's xgettext (installed here if missing); compiling is pure Python (polib).
messages: install-dev
	@command -v xgettext >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq gettext >/dev/null; } \
		|| { echo "make messages needs GNU gettext: apt-get install gettext"; exit 1; }
	$(BIN)/python manage.py makemessages -l cy --no-location --ignore=.venv --ignore=tests --ignore=bench \
		--ignore=staticfiles --ignore=test-artifacts --ignore=demo-emails
	$(BIN)/python manage.py compile_translations

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
