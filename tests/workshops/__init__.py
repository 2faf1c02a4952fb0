"""Tests of pure workshop logic (app/workshops/), no HTTP (see tests/README.md)."""
