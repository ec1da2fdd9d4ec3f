# The two commands of the README: `make demo` and `make test`.
# Each area adds its own targets in mk/*.mk and appends to TEST_DEPS / DEMO_DEPS.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_DEPS :=
DEMO_DEPS :=
DEMO_FILES :=

.PHONY: setup demo test clean
.DEFAULT_GOAL := setup

include $(wildcard mk/*.mk)

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile $(wildcard mk/*.mk)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: setup $(DEMO_DEPS)
	$(BIN)/aacap models
	$(BIN)/aacap caption $(DEMO_FILES)

test: setup $(TEST_DEPS)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build src/*.egg-info
