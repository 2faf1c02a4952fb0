"""Tests of the app's store layer (see tests/README.md)."""
