"""Tests of the app's web layer (see tests/README.md)."""
