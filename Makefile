# The README's two commands: `make book` and `make test`.
# Both set up .venv on first use and again whenever a requirements file
# changes; nothing else on the machine is needed but Python 3.11 and make.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export TF_CPP_MIN_LOG_LEVEL := 3
export KERAS_BACKEND := tensorflow
export CUDA_VISIBLE_DEVICES := -1

.PHONY: book book-fresh test bench clean

book: $(VENV)/.book-installed
	$(BIN)/jupyter-book build . -W -n --keep-going

# A build that executes every chapter again: the execution cache does not
# notice changes in lstmref, only in the chapters themselves.
book-fresh: $(VENV)/.book-installed
	rm -rf _build
	$(BIN)/jupyter-book build . -W -n --keep-going

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest

bench: $(VENV)/.test-installed
	$(BIN)/python benchmarks/run.py

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.book-installed: requirements.txt pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements-test.txt $(VENV)/.book-installed
	$(BIN)/python -m pip install -r requirements-test.txt
	touch $@

clean:
	rm -rf _build
