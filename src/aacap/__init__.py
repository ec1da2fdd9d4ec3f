"""aacap: automated audio captioning."""

__version__ = "0.1.0"
