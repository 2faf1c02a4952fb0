"""Tests of the app's routes layer (see tests/README.md)."""
