"""Controllers hold the logic behind the views (views only build widgets).

May import ``core`` and the ``ui`` views and helpers; an area is handed the small objects it
uses (page stack, services, messages: ``ui/window_host.py``), never the window itself.
"""
