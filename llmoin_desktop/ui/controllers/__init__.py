"""Controllers hold the logic behind the views (views only build widgets).

May import ``core`` and the ``ui`` views and helpers; an area gets the window as the interface
it needs (``ui/window_host.py``), never ``main_window`` itself.
"""
