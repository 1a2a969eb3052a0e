"""Qt user interface. Only this package imports PySide6; it subscribes to the Qt-free core."""
