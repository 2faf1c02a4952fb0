"""Tests of the app's scoring layer (see tests/README.md)."""
