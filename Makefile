# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SETTLE_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: install run test bench lint messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# The demo loads once; later runs give the demo users fresh passwords so the login printed
# here always works, and issue a fresh portal link for one demo debtor.
run: install
	$(BIN)/settle migrate --noinput
	SETTLE_BASE_URL=$(SETTLE_BASE_URL) $(BIN)/settle demo --reset-passwords
	@echo "Portal of a demo debtor:"
	@SETTLE_BASE_URL=$(SETTLE_BASE_URL) $(BIN)/settle portal_link DEMO-1001 | tail -n 1
	SETTLE_BASE_URL=$(SETTLE_BASE_URL) $(BIN)/settle serve --port $(PORT)

test: install
	$(BIN)/pytest

bench: install
	bench/run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

messages: install
	cd settle && ../$(BIN)/settle makemessages -l nl -l en --no-obsolete && ../$(BIN)/settle compilemessages
