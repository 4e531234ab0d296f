# The two commands of the README: `make run` and `make test`. Both build on `make install`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Development key for the embedded start and the tests only; production sets SECRET_KEY.
export SANTACARE_INSECURE_DEV_KEY ?= true

.PHONY: install run test test-cluster cluster-needs-root lint format messages test-system-packages audit bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(MAKE) --no-print-directory messages
	touch $@

messages:
	cd src/santacare && ../../$(BIN)/santacare compilemessages --verbosity 0

run: install
	DEBUG=true $(BIN)/santacare migrate --noinput --verbosity 0
	test -f var/.demo-loaded || { DEBUG=true $(BIN)/santacare demo && touch var/.demo-loaded; }
	DEBUG=true $(BIN)/santacare up

test: install test-system-packages messages
	$(BIN)/pytest --durations=10

# Two web nodes and two workers in network namespaces under load, one of each killed and
# restarted (tests/cluster). Needs root for `ip netns`, the machine's PostgreSQL and Redis, socat.
test-cluster: cluster-needs-root install test-system-packages messages
	$(BIN)/pytest -m cluster -p no:cacheprovider tests/cluster

cluster-needs-root:
	@if [ "$$(id -u)" -ne 0 ]; then \
	  echo "make test-cluster: must run as root: it creates network namespaces, a bridge and" \
	       "veth pairs with ip(8), which needs CAP_NET_ADMIN (CI runs it as root)" >&2; exit 1; fi

test-system-packages:
	scripts/ensure-test-system-packages

# ruff, then the types (mypy with django-stubs), then the layers (import-linter, pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Known vulnerabilities in the installed packages (pip-audit); passes, saying so, when the
# advisory service cannot be reached.
audit: install
	$(BIN)/python scripts/audit-dependencies

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Ours side by side with django-helpdesk 2.6.1 and the floor (README, "Benchmarks"); needs
# PostgreSQL (BENCH_DATABASE_URL) and wrk. BENCH_SIZE=small|default|large.
bench: install
	$(BIN)/python bench/run.py
