# Two commands do all the set-up: `make lab` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST := $(BIN)/python -m pytest

.PHONY: lab test install notebooks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

lab: install
	$(BIN)/jupyter lab notebooks/

# Unit tests and every notebook (nbval strict: stored outputs are the expected results), in one
# pytest process on two workers; --dist loadscope keeps each notebook on one kernel.
test: install
	$(PYTEST) -n 2 --dist loadscope --nbval --nbval-current-env -p no:cacheprovider tests notebooks

# Re-execute every notebook in place in a fresh kernel and clean its metadata.
notebooks: install
	$(BIN)/python tools/execute_notebooks.py

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
