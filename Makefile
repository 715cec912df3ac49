# Growth: `make run` serves the demo (PORT=5000), `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := GROWTH_ENV=development
CATALOGS := growth/translations

PORT ?= 5000

.PHONY: install run test lint i18n translations bench dist clean oidc-provider axe mutate mutate-again

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

translations: install
	@if ls $(CATALOGS)/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile -d $(CATALOGS) --statistics; fi

run: install translations
	$(DEV_ENV) $(BIN)/growth db upgrade
	$(DEV_ENV) $(BIN)/growth demo --if-empty
	$(DEV_ENV) $(BIN)/growth run --host 127.0.0.1 --port $(PORT)

lint: install
	$(BIN)/ruff check growth tests hatch_build.py $(wildcard bench)
	$(BIN)/bandit -q -ll -c pyproject.toml -r growth

test: install translations lint
	$(BIN)/python -m pytest

# The OpenID Provider the single sign-on tests use (they skip without it); needs npm.
oidc-provider:
	cd tests/oidc && npm ci --no-audit --no-fund

# axe-core, the accessibility rules the browser sweep runs on every page (it skips without
# it); needs npm.
axe:
	cd tests/e2e/axe && npm ci --no-audit --no-fund

# Extract every marked string, then bring each language's catalog up to date (new msgids
# arrive untranslated: tests/test_i18n.py fails until they are translated).
i18n: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --ignore-dirs='.* __pycache__' -o $(CATALOGS)/messages.pot --no-wrap --sort-by-file --project=Growth .
	$(BIN)/pybabel -q update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-wrap --ignore-obsolete --no-fuzzy-matching --ignore-pot-creation-date
	$(BIN)/pybabel -q compile -d $(CATALOGS)

# make bench [BENCH_QUICK=1] [GROWTH_BENCH_DATABASE_URL=postgresql://…]: see bench/README.md
bench: install translations
	BENCH_QUICK='$(BENCH_QUICK)' GROWTH_BENCH_DATABASE_URL='$(GROWTH_BENCH_DATABASE_URL)' \
		$(BIN)/python bench/run.py

# Mutation testing of the rule modules (README, "Mutation testing"); not part of `make test`.
# make mutate [MODULE=growth/auth/service.py] [MAX_CHILDREN=1]; results stay in mutants/.
MUTATE_MODULES := growth/dev_days/service.py growth/auth/service.py growth/permissions.py \
	growth/hr/queries.py growth/exports.py growth/coaching/service.py \
	growth/feedback/service.py growth/reminders/service.py
MODULE ?= $(MUTATE_MODULES)
MAX_CHILDREN ?= 1
# Memory each run may take: a mutant that loops for ever appending to a list then fails
# with MemoryError (killed) instead of filling the machine before its CPU-time limit.
MUTATE_MEMORY_KB ?= 6000000
# mutmut copies growth/ once and later refreshes only its Python files: bring the compiled
# catalogs up to date too, or a new translation is missing from the mutated copy.
MUTANTS_CATALOGS = if [ -d mutants/growth ]; then cp -R growth/translations mutants/growth/; fi
mutate: install translations
	$(MUTANTS_CATALOGS); ulimit -v $(MUTATE_MEMORY_KB); $(BIN)/mutmut run --max-children $(MAX_CHILDREN) $(foreach m,$(MODULE),'$(subst /,.,$(m:.py=)).*'); \
	status=$$?; \
	echo 'Mutants per module and outcome (`$(BIN)/mutmut results` lists the survivors):'; \
	$(BIN)/mutmut results --all true | sed -E 's/^ +//; s/\.x(_|ǁ).*: /: /' | sort | uniq -c; \
	exit $$status

# Re-check every mutant the last run left alive (after adding tests: a result otherwise
# stands until its function changes). Counts as `make mutate` prints them.
mutate-again: install translations
	$(MUTANTS_CATALOGS); names=$$($(BIN)/mutmut results | sed -nE 's/^ +([^:]+): (survived|no tests|timeout).*/\1/p'); \
	status=0; \
	if [ -n "$$names" ]; then \
		ulimit -v $(MUTATE_MEMORY_KB); $(BIN)/mutmut run --max-children $(MAX_CHILDREN) $$names; \
		status=$$?; fi; \
	$(BIN)/mutmut results --all true | sed -E 's/^ +//; s/\.x(_|ǁ).*: /: /' | sort | uniq -c; \
	exit $$status

# The sdist and the wheel (built from the sdist) in dist/, with their metadata checked.
dist: install
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*

clean:
	rm -rf $(VENV) instance dist .pytest_cache .ruff_cache mutants
