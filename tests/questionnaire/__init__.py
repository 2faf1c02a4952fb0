"""Tests of the app's questionnaire layer (see tests/README.md)."""
