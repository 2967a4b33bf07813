# Two commands set everything up on a fresh machine (Python 3.11+ and make):
#   make plan   plans the shipped executive-committee scenario
#   make test   runs every check: lint, types, import contracts, tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: plan test bench mutation clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

plan: $(STAMP)
	$(BIN)/tandem plan scenarios/executive-committee.yaml --out out/plan.json

test: $(STAMP)
	scripts/ensure-chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2

bench: $(STAMP)
	$(BIN)/python -m bench.solver_bench
	$(BIN)/python -m bench.match_bench

# Mutants of the hard rules (scheduler/model, scheduler/rules) and of the validator, run
# against the scheduler's tests; prints the survivors and the score. Takes about an hour.
mutation: $(STAMP)
	rm -rf mutants
	HYPOTHESIS_PROFILE=mutation $(BIN)/mutmut run --max-children 2
	$(BIN)/python -m bench.mutation_score

clean:
	rm -rf $(VENV) out mutants .pytest_cache .mypy_cache .ruff_cache .hypothesis
