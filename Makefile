# The two commands people use are `make run` and `make test` (README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO := data/demo

.PHONY: test bench lint demo clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

test: $(VENV)/.dev  ## the whole suite; .ci/run calls exactly this
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(PY) -m ruff check etl generator dashboard expectations tests bench

bench: $(VENV)/.dev  ## loader (and later checks, pages) against the raw floor
	$(PY) -m bench

demo: $(VENV)/.runtime  ## generate the demo county into data/demo
	$(PY) -m etl generate --out $(DEMO)

clean:
	rm -rf data bench/out tests/artifacts
