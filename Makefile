# The two set-up commands of the README: `make run` (main job) and `make test`.
# Both create .venv and install the pinned dependencies when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: run test demo setup bench eval-names clean

$(STAMP): requirements.txt requirements-test.txt requirements-ray.txt pyproject.toml scripts/install_torch.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	sh scripts/install_torch.sh $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-test.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

setup: $(STAMP)

# extra options for mt brief: make run ARGS="--allow-pickle --engine hf"
ARGS   ?=
run: $(STAMP)
	$(BIN)/mt brief seeds -o $(OUT) --glossary seeds/glossary.tsv $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mkdocs build --strict -d $(VENV)/site
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

demo: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python scripts/make_tiny_models.py models/demo
	HF_HUB_OFFLINE=1 $(BIN)/mt brief seeds -o $(OUT) -m models/demo/tiny-marian-uk-en \
		--sum-model models/demo/tiny-bart-en --glossary seeds/glossary.tsv --ref seeds/references
	HF_HUB_OFFLINE=1 $(BIN)/mt report $(OUT) -O $(OUT)/report.html --glossary seeds/glossary.tsv

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

# Names on real Ukrainian text (issue 15): needs the shared data folder (../shared/data).
eval-names: $(STAMP)
	mkdir -p $(OUT) && $(BIN)/python scripts/eval_names.py --json $(OUT)/eval-names.json

clean:
	rm -rf out .pytest_cache
