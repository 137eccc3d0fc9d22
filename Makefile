# Two commands on a fresh Debian/Ubuntu machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test system lock lint check bench-sample db-stop clean

# The exact versions every install takes (runtime and dev), resolved for Python 3.11 on Linux
# x86_64 by `make lock`; the project itself goes on top without resolving again.
LOCK := requirements.lock
UV_VERSION := 0.13.9

$(STAMP): $(LOCK) pyproject.toml | system
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@$(BIN)/python -m pip check --disable-pip-version-check >/dev/null || { \
	  $(BIN)/python -m pip check --disable-pip-version-check; \
	  echo "$(LOCK) does not satisfy pyproject.toml: run make lock" >&2; exit 1; }
	touch $@

## Refresh requirements.lock from pyproject.toml with uv: keeps the pinned versions that still
## fit and adds or drops what pyproject.toml changed; UPGRADE=1 takes the newest releases.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 $(if $(UPGRADE),--upgrade) --quiet -o $(LOCK)

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
