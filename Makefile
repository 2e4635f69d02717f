# Two commands do all set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: serve chat test lint pytest audit browser-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"
	touch $@ $(RUN_STAMP)

## Start the practice app on the offline backend (http://127.0.0.1:7860).
serve: $(RUN_STAMP)
	$(BIN)/roleplay serve --backend offline

## A practice call in the terminal: make chat PERSONA=cannot_pay_job_loss LANGUAGE=es
chat: $(RUN_STAMP)
	$(BIN)/roleplay chat --persona $(or $(PERSONA),cooperative_easy) --language $(or $(LANGUAGE),en)

lint: $(TEST_STAMP)
	$(BIN)/ruff check roleplay tests
	$(BIN)/ruff format --check roleplay tests
	$(BIN)/mypy

browser-deps:
	@bash scripts/ensure-chromium

pytest: $(TEST_STAMP) browser-deps
	$(BIN)/pytest $(PYTEST_ARGS)

## Known vulnerabilities with a fix in the installed dependencies (pip-audit; ROLEPLAY_REQUIRE_AUDIT=1 in CI
## turns "service unreachable" into a failure too).
audit: $(TEST_STAMP)
	$(BIN)/python scripts/audit_dependencies.py

## Lint, type-check, audit the dependencies and run the whole test suite (browser tests included).
test: lint audit pytest

bench: $(TEST_STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
