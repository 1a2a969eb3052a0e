"""Qt user interface. Only this package imports PySide6; it subscribes to the Qt-free core.

Views build widgets, controllers (``controllers/``) hold the logic, ``main_window.py`` puts
the areas together (each handed only what it uses — page stack, services, messages:
``window_host.py`` — never the window), and
``tutorial/`` holds the guided tours. May import all of ``core``; never the command line.
"""
