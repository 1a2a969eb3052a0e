"""Qt user interface. Only this package imports PySide6; it subscribes to the Qt-free core.

Views build widgets, controllers (``controllers/``) hold the logic, ``main_window.py`` puts
the areas together (each typed by what it uses of the window: ``window_host.py``), and
``tutorial/`` holds the guided tours. May import all of ``core``; never the command line.
"""
