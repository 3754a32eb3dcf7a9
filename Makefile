# The platform's commands. `make dev` starts everything; `make test` runs every suite.
UV := ./scripts/uv.sh
# The locations come from the one registry, dag_shared/locations.py.
LOCATIONS := $(shell python3 shared/src/dag_shared/locations.py)

.PHONY: dev sync test lint test-locations test-platform test-faults bench lock

# `docker compose` (v2 plugin) when present, else Debian's docker-compose (v1).
COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)

## Start the whole platform (Postgres, a code server per location, daemon, webserver) on embedded defaults.
dev: sync
	$(UV) run --frozen python -m dag_platform.stack

## Create or update every environment from its lock file, after the Debian packages the platform
## needs beyond Python (scripts/system-packages.sh: Chromium for the logo crawler and IS boards).
sync:
	@./scripts/system-packages.sh || echo "warning: Debian packages missing (see scripts/system-packages.sh); the logo crawler and the browser tests need them" >&2
	@$(UV) sync --frozen --quiet --compile-bytecode
	@for loc in $(LOCATIONS); do $(UV) sync --frozen --quiet --compile-bytecode --project locations/$$loc || exit 1; done
	@# The project's own modules too (editable installs are not compiled by uv), so no process
	@# compiles them on every start where PYTHONDONTWRITEBYTECODE is set.
	@python3 -m compileall -q -j0 shared/src src $(addprefix locations/,$(addsuffix /src,$(LOCATIONS))) >/dev/null

## Lint and format check, every location's suite in its own environment, then the platform suite.
test: sync
	@failed=""; \
	$(MAKE) --no-print-directory lint || failed="$$failed lint"; \
	$(MAKE) --no-print-directory test-locations || failed="$$failed locations"; \
	$(MAKE) --no-print-directory test-platform || failed="$$failed platform"; \
	if [ -n "$$failed" ]; then echo "FAILED suites:$$failed"; exit 1; fi

## ruff over the whole tree (configuration in the root pyproject.toml).
lint:
	@echo "=== lint"
	@$(UV) run --frozen ruff check . && $(UV) run --frozen ruff format --check .

## EMBEDDED_LOCATIONS="nps is": those suites run on the embedded PostgreSQL even when
## DAG_TEST_POSTGRES_URL names a server (.ci/run covers both setups in one pass that way).
EMBEDDED_LOCATIONS ?=
test-locations:
	@failed=""; \
	for loc in $(LOCATIONS); do \
		case " $(EMBEDDED_LOCATIONS) " in \
			*" $$loc "*) echo "=== location $$loc (embedded PostgreSQL)"; server="";; \
			*) echo "=== location $$loc"; server="$${DAG_TEST_POSTGRES_URL:-}";; \
		esac; \
		(cd locations/$$loc && DAG_TEST_POSTGRES_URL="$$server" ../../$(UV) run --frozen pytest -q) \
			|| failed="$$failed $$loc"; \
	done; \
	if [ -n "$$failed" ]; then echo "FAILED locations:$$failed"; exit 1; fi

test-platform:
	@echo "=== platform"
	@$(UV) run --frozen pytest -q

## The fault suite (tests_faults/, docs/faults.md): the bad-input corpus and a full disk in the NPS,
## CD and IS environments, then killed workers, a killed code server, a killed PostgreSQL and 40
## queued runs on a local stack. Every case prints its figures (timings in docs/faults.md).
test-faults: sync
	@failed=""; \
	for loc in nps cd is; do \
		echo "=== bad inputs: $$loc"; \
		(cd locations/$$loc && ../../$(UV) run --frozen pytest -q -s ../../tests_faults/bad_inputs/test_$${loc}_bad_inputs.py) \
			|| failed="$$failed bad-inputs-$$loc"; \
	done; \
	echo "=== disk full (nps)"; \
	(cd locations/nps && ../../$(UV) run --frozen pytest -q -s ../../tests_faults/disk) || failed="$$failed disk-full"; \
	echo "=== faults and load on the local stack"; \
	$(UV) run --frozen pytest -q -s tests_faults/stack || failed="$$failed stack"; \
	if [ -n "$$failed" ]; then echo "FAILED fault suites:$$failed"; exit 1; fi

## Re-resolve every lock file (after changing a pyproject.toml).
lock:
	$(UV) lock
	@for loc in $(LOCATIONS); do $(UV) lock --project locations/$$loc || exit 1; done

## Run every benchmark; each prints its figures next to its baseline. `bench_<location>_*.py`
## runs in that location's environment, the others (stack, reload, load time) in the host's.
bench: sync
	@for script in bench/bench_*.py; do \
		name=$$(basename $$script .py); loc=$${name#bench_}; loc=$${loc%%_*}; \
		if [ -d locations/$$loc ]; then project=locations/$$loc; else project=.; fi; \
		echo "=== $$script ($$project)"; \
		$(UV) run --frozen --project $$project python $$script || exit 1; \
	done

## The container stack run for real (docs/deploy.md): a Docker engine (a private dockerd when none
## answers), base-image stand-ins when Docker Hub is unreachable, every image built, compose up,
## runs in per-location containers, a redeploy. Exit status 3: no engine could be used.
.PHONY: test-compose
test-compose:
	@./scripts/test-compose.sh

## Rebuild and restart one location's code server in the compose stack, leaving every other
## container running: `make deploy LOCATION=nps` (docs/deploy.md).
.PHONY: deploy
deploy:
	@case " $(LOCATIONS) " in *" $(LOCATION) "*) ;; \
		*) echo "unknown location '$(LOCATION)': use make deploy LOCATION=<$(LOCATIONS)>" >&2; exit 2;; esac
	$(COMPOSE) up -d --no-deps --build code-$(LOCATION)
