"""Captioning: any model behind one interface.

`protocol.py` (the `Captioner` protocol, `CaptionResult`), `neural.py` (encoder + decoder
models), `default.py` (the offline retrieval model), `segment.py` (long recordings in timed
windows) and `loading.py` (`load_model`: a name or path -> a `Captioner`).
"""
