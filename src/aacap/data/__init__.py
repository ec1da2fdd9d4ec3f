"""Datasets as manifests: readers for Clotho, AudioCaps, MACS and WavCaps, and a synthetic
corpus of real recordings from package registries in Clotho's layout."""
