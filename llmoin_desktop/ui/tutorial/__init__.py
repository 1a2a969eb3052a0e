"""Guided tours over the real window (overlay, runner, event wiring) and the help menu.

The tours themselves are data (``resources/tutorials/*.toml``, read by ``core/tutorials.py``).
May import ``core`` and the ``ui`` helpers; what they use of the window is handed in (page
stack, services, messages from ``ui/window_host.py``, header buttons, the central widget),
never the window itself.
"""
