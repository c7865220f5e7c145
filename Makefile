# The two commands people use are `make run` and `make test` (README.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO := data/demo
DEMO_SCALE ?= 1
WAREHOUSE ?= $(or $(XUNYI_WAREHOUSE),data/xunyi.duckdb)
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run serve test bench lint warehouse demo-accounts clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: warehouse demo-accounts  ## serve the dashboard on the published warehouse (built on first use)
	$(PY) -m streamlit run dashboard/app.py --server.address $(HOST) --server.port $(PORT)

PROCESSES ?= 2
serve: warehouse demo-accounts  ## the dashboard from $(PROCESSES) processes behind nginx (README)
	$(PY) -m dashboard.proxy --processes $(PROCESSES) --address $(HOST) --port $(PORT)

warehouse: $(VENV)/.runtime  ## the demo county's warehouse, generated and loaded once
	@if [ -f $(WAREHOUSE) ]; then echo "数据仓库已存在：$(WAREHOUSE)"; else \
	  $(PY) -m etl generate --out $(DEMO) --scale $(DEMO_SCALE) && \
	  { $(PY) -m etl run $(DEMO) --warehouse $(WAREHOUSE); status=$$?; \
	    if [ $$status -gt 1 ]; then exit $$status; fi; \
	    echo "演示数据中有故意放入的问题文件（拒收属正常），数据仓库已发布：$(WAREHOUSE)"; }; \
	fi

demo-accounts: $(VENV)/.runtime  ## one clearly marked demo account per role (made once), printed
	$(PY) -m etl users demo

test: $(VENV)/.dev  ## the whole suite; .ci/run calls exactly this
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(PY) -m ruff check etl generator dashboard expectations pack tests bench

bench: $(VENV)/.dev  ## loader, checks, pages and the pack against their floors
	$(PY) -m bench loader validate pages pack

clean:
	rm -rf data bench/out tests/artifacts
