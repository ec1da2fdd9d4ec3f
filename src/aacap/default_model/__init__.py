"""How the offline default model (`aacap.captioning.default`: YAMNet + caption retrieval) is
made: `build.py` writes its assets (`aacap/assets/default/yamnet.pt` and `bank.npz`, committed,
rebuilt by `make default-model`) and records their provenance; `tags.py` gives each caption of
the bank the sound classes it names; `choose.py` picks candidates from the ranking (the
decoding options retrieval can honour).
"""
