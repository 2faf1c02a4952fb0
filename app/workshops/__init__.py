"""Co-development workshops: counsellors gather associations' diagnostics in one session."""
