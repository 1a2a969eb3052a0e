"""Guided tours over the real window (overlay, runner, event wiring) and the help menu.

The tours themselves are data (``resources/tutorials/*.toml``, read by ``core/tutorials.py``).
May import ``core`` and the ``ui`` helpers; the window comes in as ``ui/window_host.py``'s
interfaces, never ``main_window`` itself.
"""
