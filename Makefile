# Two commands on a fresh Debian/Ubuntu machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test system lint check bench-sample db-stop clean

$(STAMP): pyproject.toml | system
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

system:
	@PYTHON=$(PYTHON) bash scripts/ensure-system.sh

## Start the private PostGIS, migrate, load the sample district once, serve on :8000.
run: $(STAMP)
	$(BIN)/gis-app up

## The whole test suite against a throwaway PostGIS cluster (or DATABASE_URL).
test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Province-size load (SCALE=1.0: 100k buildings, 2M rooms, 200k parcels) into DATABASE_URL or
## the private cluster; prints time and peak memory.
bench-sample: $(STAMP)
	$(BIN)/python bench/sample_load.py --scale $(or $(SCALE),1.0)

db-stop: $(STAMP)
	$(BIN)/gis-app db stop

clean: db-stop
	rm -rf var
