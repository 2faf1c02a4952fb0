"""Scoring as pure functions: no I/O, same answers in, same result out."""
