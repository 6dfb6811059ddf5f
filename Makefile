# Two commands on a fresh machine: `make demo` (the main job on the embedded default) and `make test`.
# Both create and reuse the virtual environment in .venv by themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.installed-spark

# the project runs offline; a user with a network can override these in the environment
export HF_HUB_OFFLINE ?= 1
export HF_DATASETS_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
export MLFLOW_DISABLE_TELEMETRY ?= true
export BENTOML_DO_NOT_TRACK ?= true
export TOKENIZERS_PARALLELISM ?= false

.PHONY: install demo test test-fast test-all bento clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first and pinned: this version is a local CPU build; anything else pulls GBs of CUDA packages
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# the spark extra (pyspark) for batch scoring on Spark; the test targets install it, Java comes from tests/services.sh
$(SPARK_STAMP): $(STAMP)
	$(BIN)/pip install -e '.[dev,spark]'
	touch $(SPARK_STAMP)

demo: install
	$(BIN)/claimtriage demo

# Kinds of tests (markers, see tests/conftest.py): unit, data, model, service; `slow` ones have fast twins.
# test: the layers (import-linter), then the complete default suite, every kind but slow; what CI runs.
# tests/services.sh installs (Debian packages) and starts what it needs: headless Chromium, PostgreSQL on loopback,
# Java for Spark; the Spark test then must run (CLAIMTRIAGE_REQUIRE_SPARK), not skip
test: $(SPARK_STAMP)
	$(BIN)/lint-imports
	CLAIMTRIAGE_REQUIRE_SPARK=1 CLAIMTRIAGE_TEST_PG_URL=$${CLAIMTRIAGE_TEST_PG_URL:-$$(tests/services.sh)} $(BIN)/pytest

# unit tests only: no services, no trained model, no shared datasets (seconds)
test-fast: install
	$(BIN)/pytest -m unit

# everything, the slow tests too
test-all: $(SPARK_STAMP)
	$(BIN)/lint-imports
	CLAIMTRIAGE_REQUIRE_SPARK=1 CLAIMTRIAGE_TEST_PG_URL=$${CLAIMTRIAGE_TEST_PG_URL:-$$(tests/services.sh)} $(BIN)/pytest -m ""

# a Bento for containers: the project's wheel (only `claimtriage` in site-packages), then bentoml build
bento: install
	rm -rf dist
	$(BIN)/pip wheel --no-deps --no-build-isolation -w dist .
	$(BIN)/bentoml build -f serving/bentofile.yaml .

clean:
	rm -rf $(VENV) demo_corpus mlruns mlflow.db reports scores dist build .pytest_cache
