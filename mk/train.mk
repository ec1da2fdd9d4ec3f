# Training (issue 5): the synthetic corpus `synth-tiny` trains on, and its benchmark.
# `make synth-corpus` builds .cache/synth (3000 clips in Clotho's layout) from the recordings
# of `make sounds`; `make bench-train` runs benchmarks/train_synth.py (trains synth-tiny and the
# no-audio baseline, resumable, under .cache/bench/).
SYNTH_DIR := .cache/synth
SYNTH_CLIPS := 3000

.PHONY: synth-corpus bench-train
synth-corpus: $(SYNTH_DIR)/.stamp

$(SYNTH_DIR)/.stamp: src/aacap/data/synth.py | sounds
	$(BIN)/aacap data synth $(SYNTH_DIR) --n-clips $(SYNTH_CLIPS) --cache $(SOUNDS_CACHE)
	touch $@

bench-train: $(SYNTH_DIR)/.stamp
	$(BIN)/python benchmarks/train_synth.py --corpus $(SYNTH_DIR)
