# Two commands on a fresh machine: `make demo` (the main job on the embedded default) and `make test`.
# Both create and reuse the virtual environment in .venv by themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# the project runs offline; a user with a network can override these in the environment
export HF_HUB_OFFLINE ?= 1
export HF_DATASETS_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
export MLFLOW_DISABLE_TELEMETRY ?= true
export BENTOML_DO_NOT_TRACK ?= true
export TOKENIZERS_PARALLELISM ?= false

.PHONY: install demo test test-fast test-all clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first and pinned: this version is a local CPU build; anything else pulls GBs of CUDA packages
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/claimtriage demo

# Kinds of tests (markers, see tests/conftest.py): unit, data, model, service; `slow` ones have fast twins.
# test: the layers (import-linter), then the complete default suite, every kind but slow; what CI runs.
# tests/services.sh installs (Debian packages) and starts what it needs: headless Chromium, PostgreSQL on loopback
test: install
	$(BIN)/lint-imports
	CLAIMTRIAGE_TEST_PG_URL=$${CLAIMTRIAGE_TEST_PG_URL:-$$(tests/services.sh)} $(BIN)/pytest

# unit tests only: no services, no trained model, no shared datasets (seconds)
test-fast: install
	$(BIN)/pytest -m unit

# everything, the slow tests too
test-all: install
	$(BIN)/lint-imports
	CLAIMTRIAGE_TEST_PG_URL=$${CLAIMTRIAGE_TEST_PG_URL:-$$(tests/services.sh)} $(BIN)/pytest -m ""

clean:
	rm -rf $(VENV) demo_corpus mlruns mlflow.db reports .pytest_cache
