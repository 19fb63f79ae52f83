# The two commands of the README. Each one makes its own virtualenv in .venv.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install lint

$(BIN)/trendbot: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# CPU build of torch first, so sentence-transformers does not pull a CUDA one.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/trendbot

demo: install
	$(BIN)/trendbot demo

lint: install
	$(BIN)/ruff check trendbot tests bench scripts
	$(BIN)/ruff format --check trendbot tests bench scripts
	$(BIN)/mypy trendbot

test: lint
	$(BIN)/pytest -W error --strict-markers
