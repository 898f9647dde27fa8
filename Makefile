# quotebot: `make run` starts the console on seeds/, `make test` runs the whole suite.
# Both create .venv and install the package (with test extras) first, if needed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench bench-quick bench-archive eval clean soak chaos

# The SQuAD v1.1 dev set shared beside the checkout.
SQUAD ?= ../shared/eval/squad-dev

install: $(STAMP)

$(STAMP): pyproject.toml setup.py retrieval/_kernels.c
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench,semantic]'
	touch $(STAMP)

run: install
	$(BIN)/quotebot console --corpus seeds

# Four workers: much of the suite waits on loopback servers and subprocesses, so it runs in half the time.
test: install
	$(BIN)/python -m pytest -q -n 4

eval: install
	$(BIN)/python -m bench.quality --squad $(SQUAD)

# 10,000 Slack questions across 2 replicas sharing a real Redis (loopback), then a run with Redis killed
# halfway and started again at 3/4.
soak: install
	$(BIN)/python -m bench.soak
	$(BIN)/python -m bench.soak --kill-redis --restart-redis

# The fault scenarios of issue 16 end to end (loopback only, about a minute): unsigned floods, slow clients,
# corpus replaced/recreated/worker killed, hostile corpus files, Redis killed and restarted empty during retries.
chaos: install
	$(BIN)/python -m bench.chaos

lint: install
	$(BIN)/ruff check bot retrieval tests

# Also removes the saved indexes of corpora inside this checkout from the index cache ($QUOTEBOT_CACHE_DIR, default
# ~/.cache/quotebot), except those a running bot has loaded, printing each; KEEP_CACHE=1 leaves the cache alone.
clean:
	@if [ -z "$(KEEP_CACHE)" ] && [ -x $(BIN)/quotebot ]; then $(BIN)/quotebot cache prune --under "$(CURDIR)"; fi
	rm -rf $(VENV) build *.egg-info .pytest_cache

bench: install
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.versus

bench-quick: install
	$(BIN)/python -m bench.run --quick

# Not part of `make bench`: a 10M-sentence archive as one JSONL file (generated once, cached in bench/data/), built in
# a child process (time, peak RSS of the process tree, size on disk), then restart, serving RSS and answer latency
# with the semantic scorer off and on; SENTENCES=1000000 for a smaller one.
SENTENCES ?= 10000000
bench-archive: install
	$(BIN)/python -m bench.archive --sentences $(SENTENCES)
