# Two commands do everything on a fresh machine:
#   make report   -> set up .venv and write reports/report.md from the built-in seeds
#   make test     -> set up .venv and run the whole test suite (CI runs this)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The browser tests drive Debian's Chromium through its driver; installed when missing (as root, or with sudo).
BROWSER := /usr/bin/chromium /usr/bin/chromedriver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: report test test-fast eval bench clean screenshots

$(STAMP): pyproject.toml Makefile tools/spacy_without_hooks.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch first: left to itself pip would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[test,bench]"
	# The same spaCy without Cython's profiling hooks: identical parses, much faster (the script says why).
	tools/spacy_without_hooks.sh $(BIN)
	touch $(STAMP)

$(BROWSER):
	$(SUDO) apt-get update -q
	$(SUDO) apt-get install -y -q chromium chromium-driver

report: $(STAMP)
	$(BIN)/claimcheck report

test: $(STAMP) $(BROWSER)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP) $(BROWSER)
	$(BIN)/python -m pytest -q -m "not e2e"

# The README's pictures of the review page, taken by the browser tests.
screenshots: $(STAMP) $(BROWSER)
	CLAIMCHECK_SCREENSHOTS=docs $(BIN)/python -m pytest -q tests/test_browser.py

eval: $(STAMP)
	$(BIN)/python -m eval.run

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) claimcheck.db claimcheck.db.faiss claimcheck.db.faiss.json claimcheck.db.faiss.recent
