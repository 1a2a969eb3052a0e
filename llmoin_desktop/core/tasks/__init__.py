"""Guided tasks: specs (TOML), prompt rendering, runners for short and long documents."""
