# The two commands: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB ?= leadgate.db
ADMIN_EMAIL ?= admin@demo.leadgate.example
HOST ?= 127.0.0.1
PORT ?= 8000
# The admin's API token, kept next to the database (mode 0600): the same at every start.
TOKEN_FILE ?= $(basename $(DB)).token

.PHONY: run test bench lint messages docs screenshots clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	@test -f $(DB) || $(BIN)/leadgate init --demo --db sqlite:///./$(DB)
	@$(BIN)/leadgate serve --db sqlite:///./$(DB) --host $(HOST) --port $(PORT) \
		--issue-token $(ADMIN_EMAIL) --token-file $(TOKEN_FILE)

# PYTHONDONTWRITEBYTECODE emptied: a machine that sets it would compile every module again in
# each of the suite's hundreds of processes (CLI runs, servers, workers): 0.3 s each.
test: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest --numprocesses=auto --maxprocesses=4 --dist loadgroup

bench: $(STAMP)
	$(BIN)/python bench/pipeline_vs_core.py
	$(BIN)/python bench/security_filter.py
	$(BIN)/python bench/qualify.py
	$(BIN)/python bench/diagnose.py
	$(BIN)/python bench/bulk_qualify.py
	$(BIN)/python bench/grid.py
	$(BIN)/python bench/duplicates.py --sizes 10000,100000
	$(BIN)/python bench/duplicate_jobs.py
	$(BIN)/python bench/imports.py --rows 100000 --checkpoint 10000
	$(BIN)/python bench/audit.py
	$(BIN)/python bench/jobs.py
	$(BIN)/python bench/web_multiple.py
	$(BIN)/python bench/web_workers.py
	$(BIN)/python bench/web_read.py
	$(BIN)/python bench/metadata.py
	$(BIN)/python bench/growth.py
	$(BIN)/python bench/soak.py

lint: $(STAMP)
	$(BIN)/mypy src/leadgate
	$(BIN)/ruff check src tests bench tools


# The .po files are the translations' one source: translators edit them with their usual tools.
# Texts are sorted so that moving code does not reorder the catalogues. New texts come in empty
# (no fuzzy guesses: the runtime ignores fuzzy entries) and removed ones are kept as obsolete
# `#~` entries; the catalogue test then lists what is left to translate or to delete.
LOCALE := src/leadgate/platform/engine/locale
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --omit-header --sort-output -w 100 \
		-o $(LOCALE)/leadgate.pot .
	$(BIN)/pybabel update -D leadgate -i $(LOCALE)/leadgate.pot -d $(LOCALE) -w 100 \
		--no-fuzzy-matching --ignore-pot-creation-date
	$(BIN)/python -m pytest -q tests/unit/test_catalog.py

docs: $(STAMP)
	$(BIN)/python tools/docs.py

# The app's pages in Chromium (Debian's /usr/bin/chromium), in English and French, as PNGs in
# screenshots/: served from a fresh demo database; names every page it could not shoot.
screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
