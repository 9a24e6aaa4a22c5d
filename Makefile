# The front door: every task has a target. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Benchmark settings (make bench RUNS=1 SIZES=1000 for a quick look)
RUNS ?= 3
SIZES ?= 1000,10000
BUILD_DIR := _build
PORT ?= 8000

.PHONY: help install lock book book-clean check audit agreement agreement-sample agreement-score test serve clean fmt-data collect inbox accept reject extract linkcheck diff-data bench eval-links suggest-links

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml package.json package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@command -v npm >/dev/null || { echo "npm is needed to install the chart libraries (Debian: apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(STAMP) ## Create .venv and install every dependency from requirements.lock, hashes checked

lock: ## Regenerate requirements.lock (pinned, with hashes) from requirements.txt; run after changing requirements.txt
	@$(PYTHON) -m venv .venv-lock && .venv-lock/bin/python -m pip install --quiet --disable-pip-version-check pip-tools
	.venv-lock/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	  --output-file requirements.lock requirements.txt
	@rm -rf .venv-lock
	@echo "requirements.lock regenerated: commit it with requirements.txt, then run make install"

check: $(STAMP) ## Validate every table in data/ and print every problem
	@$(BIN)/python -m tracker check

audit: $(STAMP) ## Flag statuses that may not follow the rubric; each warning is fixed or recorded in data/audit_exceptions.csv
	@$(BIN)/python -m tracker audit

agreement: $(STAMP) ## Blind agreement checks: each check's figures, from data/agreement_checks.csv
	@$(BIN)/python -m tracker agreement

agreement-sample: $(STAMP) ## Draw a fresh blind sample: make agreement-sample [N=64 SEED=1 OUT=agreement-packet WHOLE=1 (from every assessment)]
	@$(BIN)/python -m tracker agreement sample --n $(or $(N),64) --seed $(or $(SEED),0) --out "$(or $(OUT),agreement-packet)" $(if $(WHOLE),--whole-record)

agreement-score: $(STAMP) ## Score a reader's labels: make agreement-score [OUT=agreement-packet]
	@$(BIN)/python -m tracker agreement score --key "$(or $(OUT),agreement-packet)/key.csv" --labels "$(or $(OUT),agreement-packet)/labels.csv"

book: check ## Validate the data, generate the pages and build the site into _build/html
	$(BIN)/jupyter-book build . -W --keep-going
	@echo "Site built: $(BUILD_DIR)/html/index.html (preview with: make serve)"

book-clean: check ## Build from scratch, with no cache (what CI does)
	rm -rf $(BUILD_DIR)
	$(BIN)/jupyter-book build . -W --keep-going

fmt-data: $(STAMP) ## Rewrite data/*.csv in canonical form (column order, sorted rows, LF, no BOM)
	@$(BIN)/python -m tracker fmt-data

collect: check ## Fetch from GOV.UK and Parliament into data/raw/ and propose candidates (needs the internet)
	$(BIN)/python -m tracker collect $(if $(SOURCE),--source $(SOURCE)) $(if $(REVIEW),--review $(REVIEW)) $(if $(SINCE),--since $(SINCE))

suggest-links: check ## Propose links between similar recommendations of different reviews into the inbox, highest scores first [LIMIT=50]
	@$(BIN)/python -m tracker suggest-links $(if $(LIMIT),--limit $(LIMIT)) $(if $(MIN_SCORE),--min-score $(MIN_SCORE))

eval-links: check ## Score each similarity method against the links found by hand: recall@5, recall@10, MRR, seconds, memory
	@$(BIN)/python -m tracker eval-links

inbox: $(STAMP) ## List the candidates waiting for a decision
	@$(BIN)/python -m tracker inbox list

accept: $(STAMP) ## Accept a candidate: make accept ID=c-... [REC= STATUS= EVIDENCE= PARTS= PARTLY=] or, for a new recommendation, TITLE= SUMMARY= THEMES= RESPONSE=
	@test -n "$(ID)" || { echo "usage: make accept ID=c-... [REC=rec_id STATUS=status EVIDENCE='own words' PARTS='1;3' PARTLY=2 CONFIDENCE=medium]"; \
	  echo "       make accept ID=c-... RELATION=repeats|builds-on|supersedes|answers NOTE='why, in one line'  (a suggested link)"; \
	  echo "       make accept ID=c-... TITLE='own words' SUMMARY='own words' THEMES=theme-a,theme-b RESPONSE=accepted RESPONSE_SOURCE=source_id [ADDRESSED_TO=...]  (a new recommendation)"; \
	  echo "       make accept ID=c-... CONFIRM_NUMBER=1  (a check: the number was confirmed in the report)"; exit 2; }
	@$(BIN)/python -m tracker inbox accept "$(ID)" $(if $(REC),--rec-id "$(REC)") $(if $(STATUS),--status "$(STATUS)") $(if $(EVIDENCE),--evidence "$(EVIDENCE)") $(if $(PARTS),--parts "$(PARTS)") $(if $(PARTLY),--partly "$(PARTLY)") $(if $(CONFIDENCE),--confidence "$(CONFIDENCE)") $(if $(AS_OF),--as-of "$(AS_OF)") $(if $(NOTE),--note "$(NOTE)") $(if $(TITLE),--title "$(TITLE)") $(if $(SUMMARY),--summary "$(SUMMARY)") $(if $(THEMES),--themes "$(THEMES)") $(if $(RESPONSE),--response "$(RESPONSE)") $(if $(RESPONSE_SOURCE),--response-source "$(RESPONSE_SOURCE)") $(if $(RESPONSE_NOTE),--response-note "$(RESPONSE_NOTE)") $(if $(ADDRESSED_TO),--addressed-to "$(ADDRESSED_TO)") $(if $(CONFIRM_NUMBER),--confirm-number) $(if $(RELATION),--relation "$(RELATION)")

reject: $(STAMP) ## Reject a candidate so it is not proposed again: make reject ID=c-... NOTE="why"
	@test -n "$(ID)" || { echo "usage: make reject ID=c-... NOTE='why'"; exit 2; }
	@$(BIN)/python -m tracker inbox reject "$(ID)" $(if $(NOTE),--note "$(NOTE)")

extract: $(STAMP) ## List a report's numbered recommendations: make extract FILE=report.pdf [EXPECTED=N] [JSON=1]
	@test -n "$(FILE)" || { echo "usage: make extract FILE=path/to/report.pdf|.html|.json [EXPECTED=number of recommendations] [JSON=1]"; exit 2; }
	@$(BIN)/python -m tracker extract "$(FILE)" $(if $(EXPECTED),--expected $(EXPECTED)) $(if $(JSON),--json)

linkcheck: $(STAMP) ## Report external links that no longer answer (needs the internet; never fails)
	@$(BIN)/python -m tracker linkcheck --output $(BUILD_DIR)/linkcheck.md

diff-data: $(STAMP) ## What changed in data/ since a git revision: make diff-data BASE=origin/main
	@$(BIN)/python -m tracker diff-data --base "$(or $(BASE),origin/main)"

bench: $(STAMP) ## Measure builds, memory, page weights, collectors and extraction (slow; prints a table; RUNS=3 SIZES=1000,10000 [ONLY=extract|collect|charts|similar])
	$(BIN)/python -m tracker.bench --runs $(RUNS) --sizes $(SIZES) $(if $(SYNTHETIC_RUNS),--synthetic-runs $(SYNTHETIC_RUNS)) $(if $(ONLY),--only $(ONLY))

test: $(STAMP) ## Run the whole test suite
	$(BIN)/python -m pytest

serve: ## Preview the built site on 127.0.0.1
	@test -f $(BUILD_DIR)/html/index.html || { echo "No site yet: run 'make book' first"; exit 1; }
	@echo "Serving the site at http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	@$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory $(BUILD_DIR)/html

clean: ## Remove the build and the generated pages (keeps .venv)
	rm -rf $(BUILD_DIR) book/reviews book/themes book/statuses book/recurring book/explorer.md book/about/data-dictionary.md test-artifacts .pytest_cache
