# Two commands do everything on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
GUIDANCE := $(VENV)/bin/guidance
export GUIDANCE_DATA_DIR ?= $(CURDIR)/data
export HF_HUB_OFFLINE := 1
PORT ?= 8501

.PHONY: install run index test bench eval clean

install: $(VENV)/.installed

# The CPU torch wheel first, pinned: otherwise pip may pull a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	touch $@

index: install
	$(GUIDANCE) ingest corpus/

run: index
	$(GUIDANCE) serve --port $(PORT)

test: install
	$(PY) -m pytest -q

bench: install
	$(GUIDANCE) bench

eval: install
	$(GUIDANCE) eval

clean:
	rm -rf $(VENV) data .pytest_cache
