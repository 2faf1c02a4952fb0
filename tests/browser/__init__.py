"""Tests of the app's browser layer (see tests/README.md)."""
