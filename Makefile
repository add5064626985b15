# Suido — the two commands of the quick start are `make demo` and `make test`.
# Everything else is installed on first use: uv (from PyPI, see scripts/bootstrap_uv.py)
# and the locked dependencies (uv.lock) into .venv.

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
DEMO_PREMISES ?= 3000

# Only the machine's own Python 3.11+; never download an interpreter.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON_PREFERENCE := only-system

.PHONY: demo test install lint format check bench bench-full messages clean

demo: install
	@scripts/demo.sh $(DEMO_PREMISES)

test: install
	@scripts/ensure_fonts.sh
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

install: $(VENV)/.synced

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Suido needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) scripts/bootstrap_uv.py $(UV_VERSION) .tools/bin

# Bytecode compiled at install, as a deployment does: every process (a Celery worker, a
# billing run's chunk worker) would otherwise compile what it imports from source each time
# it starts where bytecode caching is off (PYTHONDONTWRITEBYTECODE) or the venv is read-only.
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode
	@touch $@

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Django's own checks and that every model change has its migration.
check: install
	SECRET_KEY=check $(PY) manage.py check --fail-level WARNING
	SECRET_KEY=check $(PY) manage.py makemigrations --check --dry-run

# Benchmarks at small sizes, or at the sizes the issues name (meant for PostgreSQL: set DATABASE_URL;
# they use a separate "<name>_bench" database, see scripts/run_benchmarks.py).
bench: install
	$(PY) scripts/run_benchmarks.py

bench-full: install
	$(PY) scripts/run_benchmarks.py --full

# Re-extract the Korean catalogue after changing user-facing text, then translate locale/ko.
messages: install
	SECRET_KEY=x $(PY) manage.py makemessages -l ko --no-obsolete --add-location file -i '.venv/*' -i '.tools/*' -i 'var/*'
	$(PY) scripts/compile_messages.py

clean:
	rm -rf $(VENV) .tools var .pytest_cache
