"""The recording lengths that decide how a recording is captioned, in seconds. Apart from
the rest, so the service's settings (and `aacap serve --help`) read them without loading audio
or model code."""

LONG_RECORDING_S = 30.0  # s: the default model (every surface) and the service (every model)
# caption longer recordings in windows; a neural model's `caption` encodes them in chunks instead
# (see `audio.LONG_CLIP_S`)
LONG_SEGMENT_S = 10.0  # s: the window length used for them
