"""Tests of the app's report layer (see tests/README.md)."""
