# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test bench lint messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/settle migrate --noinput
	$(BIN)/settle demo
	PORT=$(PORT) $(BIN)/settle serve

test: install
	$(BIN)/pytest

bench: install
	bench/run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

messages: install
	cd settle && ../$(BIN)/settle makemessages -l nl -l en --no-obsolete && ../$(BIN)/settle compilemessages
