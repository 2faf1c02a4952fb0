"""The diagnostic's charts (SVG) and its PDF report."""
