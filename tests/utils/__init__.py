"""Test-data helpers."""
