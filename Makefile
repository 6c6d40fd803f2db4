# The verbs a newcomer types. `make` alone lists them.
.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

PY := .venv/bin/python
# Python writes its bytecode caches (__pycache__, git-ignored) even where the environment says
# not to: otherwise every service process the suite and `make run` start compiles every module
# it imports from source, 2.5 s of CPU each, and pytest rewrites every test module each run
# (ADR 0034).
unexport PYTHONDONTWRITEBYTECODE
PYTEST_ARGS ?=
ROLE ?= agent
SUB ?=
SCOPE ?=
MERCHANT ?=
# pytest-xdist workers for `make test`: the groups they take are in the devstack's pytest
# plugin (distribution_group); 0 runs the suite in one process.
TEST_WORKERS ?= 2

.PHONY: help install run test lint fmt migrate faults bench asyncapi docs token lock clean service feature revision

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'
	@echo "  (make test PYTEST_ARGS='-k returns -x'; make token ROLE=agent SUB=alice SCOPE=refund:approve)"

install: ## install everything into .venv from the hashed locks
	bash tools/install.sh

run: install ## start PostgreSQL, the broker and the five services (Ctrl-C stops all)
	$(PY) -m aftersales_devstack run

test: install ## run the tests (PYTEST_ARGS=..., TEST_WORKERS=0 for one process); collecting no test is a failure
	$(PY) -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder) $(PYTEST_ARGS)

lint: ## ruff check, ruff format --check, mypy --strict on the libraries and the services
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy --strict libs/*/src services/*/src

fmt: ## format and autofix
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

migrate: install ## create the databases and apply every service's migrations
	$(PY) -m aftersales_devstack migrate

service: install ## write a new service in the one shape: NAME=... PORT=... [SUMMARY="what it owns"]
	$(PY) -m aftersales_devstack.scaffold service $(NAME) --port $(PORT) $(if $(SUMMARY),--summary "$(SUMMARY)")
	$(PY) -m ruff format --quiet services/$(NAME) && $(PY) -m ruff check --fix --quiet services/$(NAME)
	bash tools/install.sh
	$(MAKE) --no-print-directory docs

feature: install ## write a feature package: SERVICE=... NAME=complaints AGGREGATE=complaint STEP=C1
	$(PY) -m aftersales_devstack.scaffold feature $(SERVICE) $(NAME) --aggregate $(AGGREGATE) --step $(STEP)
	$(PY) -m ruff format --quiet services/$(SERVICE) && $(PY) -m ruff check --fix --quiet services/$(SERVICE)

revision: install ## autogenerate a service's migration for its changed models: SERVICE=... MSG=...
	$(PY) -m aftersales_devstack revision $(SERVICE) -m "$(MSG)"

faults: install ## the fault suite at full sizes, then its figures into docs/reliability.md
	rm -f .data/faults/figures.jsonl
	FAULTS_FULL=1 $(PY) -m pytest tests/faults -s $(PYTEST_ARGS)
	$(PY) -m tests.faults.report

bench: install ## run the benchmarks
	@if [ -f benchmarks/__main__.py ]; then $(PY) -m benchmarks; else echo "no benchmarks exist yet (benchmarks/__main__.py)"; fi

asyncapi: install ## regenerate docs/asyncapi.json from the event catalogue
	$(PY) -m aftersales_events.asyncapi --output docs/asyncapi.json

docs: asyncapi ## regenerate the generated files: SLA tables (docs/sla/), AsyncAPI, deploy/ (topics, k8s, dashboards)
	$(PY) -m aftersales_sla.docs --output docs/sla
	$(PY) deploy/generate.py

token: ## mint a dev bearer token: ROLE=agent [SUB=alice] [SCOPE=refund:approve] [MERCHANT=M-001]
	@bash tools/install.sh >&2
	@$(PY) -m aftersales_chassis.token --role $(ROLE) --sub $(or $(SUB),dev-$(ROLE)) $(if $(SCOPE),--scope $(SCOPE)) $(if $(MERCHANT),--merchant-id $(MERCHANT))

lock: ## re-resolve requirements.lock (hashed) from the pyproject files
	UV=.venv/bin/uv bash tools/lock.sh

clean: ## remove local data (.data: the embedded PostgreSQL's files)
	rm -rf .data
