"""Offline guard: nothing leaves the machine.

Holds ``network_guard`` (an audit hook that records, and in ``fail`` mode blocks, every
network attempt of this process and its workers; switches telemetry and hub downloads off
before any third-party import) and ``loopback`` (what counts as this machine: literal
loopback addresses and the hosts file, free ports, stopping local servers in tests).

May import: the standard library and ``core.errors``/``core.i18n`` only, because
``network_guard`` runs before anything else is imported.
"""
