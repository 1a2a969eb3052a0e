"""Settings and IT policy: defaults < machine policy (may lock keys) < the clerk's settings.

Holds ``config`` (the settings model and store), ``config_files`` (reading and writing the
files safely), ``config_validation`` (types and ranges of every key), ``policy_location`` (the
fixed, admin-only places a machine policy is read from), ``policy_load`` (reading it, fail
closed), ``policy_registry`` (which keys IT may set or lock), ``policy_gate`` (what a lock
allows the clerk) and ``model_policy`` (``allowed_models``).

May import: the foundations beside it (``core.paths``, ``core.errors``, ``core.i18n``,
``core.storage``) and the standard library. Never the engine, documents, library, tasks or Qt.
"""
