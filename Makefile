# The two commands: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB ?= leadgate.db
ADMIN_EMAIL ?= admin@demo.leadgate.example

.PHONY: run test bench lint messages clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	@test -f $(DB) || $(BIN)/leadgate init --demo --db sqlite:///./$(DB)
	$(BIN)/leadgate serve --db sqlite:///./$(DB) --issue-token $(ADMIN_EMAIL)

test: $(STAMP)
	$(BIN)/python -m pytest --numprocesses=auto --maxprocesses=4 --dist loadgroup

bench: $(STAMP)
	$(BIN)/python bench/pipeline_vs_core.py
	$(BIN)/python bench/security_filter.py
	$(BIN)/python bench/qualify.py
	$(BIN)/python bench/duplicates.py --sizes 10000,100000

lint: $(STAMP)
	$(BIN)/mypy src/leadgate
	$(BIN)/ruff check src tests bench


messages: $(STAMP)
	$(BIN)/pybabel extract -k N_ --no-location --omit-header -o src/leadgate/platform/engine/locale/leadgate.pot src/leadgate
	$(BIN)/python tools/french.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
