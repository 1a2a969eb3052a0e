"""Guided tours over the real window (overlay, runner, event wiring) and the help menu."""
