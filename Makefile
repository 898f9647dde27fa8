# quotebot: `make run` starts the console on seeds/, `make test` runs the whole suite.
# Both create .venv and install the package (with test extras) first, if needed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench bench-quick eval clean

# The SQuAD v1.1 dev set shared beside the checkout (or two levels up, from a worktree).
SQUAD ?= $(firstword $(wildcard ../shared/eval/squad-dev ../../shared/eval/squad-dev))

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

run: install
	$(BIN)/quotebot console --corpus seeds

test: install
	$(BIN)/python -m pytest -q

eval: install
	$(BIN)/quotebot eval $(SQUAD)/questions.jsonl --corpus $(SQUAD)/articles.jsonl

lint: install
	$(BIN)/ruff check bot retrieval tests

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

bench: install
	$(BIN)/python -m bench.run

bench-quick: install
	$(BIN)/python -m bench.run --quick
