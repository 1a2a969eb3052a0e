"""Terms of use on the command line: ``terms [--accept]`` and the check before a model runs.

The GUI asks for the terms at the first start; the CLI used to run the model without ever
showing them, so a clerk could skip IT's terms by using the command line (issue 18). Now every
command that loads a model (``open_backend``) first checks the acceptance — the same file the
GUI writes. Decision: the check applies when IT's policy sets ``usage_terms_text`` (locked or
as a default), i.e. when IT asked for terms; the program's built-in text stays a GUI courtesy
so that IT's own scripts and benchmarks are not stopped by it. At a terminal the CLI shows the
text and asks; without one it stops with a message naming ``llmoin-desktop terms --accept``.
"""

from __future__ import annotations

import argparse

from llmoin_desktop.core.i18n import _

# The check before a model runs lives beside open_backend in cli/base.py (require_terms) and in
# core/terms.py (the policy decision); this module only adds the ``terms`` command, so cli/base.py
# never imports it back (issue 23: no import circle). Still importable from here:
from llmoin_desktop.core.terms import required_outside_gui as terms_required  # noqa: F401


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("terms", help=_("Nutzungsbedingungen anzeigen und annehmen"))
    p.add_argument("--accept", action="store_true", help=_("die Nutzungsbedingungen annehmen"))
    p.set_defaults(func=cmd_terms)


def cmd_terms(args: argparse.Namespace) -> int:
    from llmoin_desktop.cli.base import EXIT_OK, eprint, load_store
    from llmoin_desktop.core.terms import accept_current, current_terms, needs_acceptance

    store = load_store(args)
    print(current_terms(store).text)
    if args.accept:
        accept_current(store)
        eprint(_("Die Nutzungsbedingungen sind angenommen."))
    elif needs_acceptance(store):
        eprint(_("Noch nicht angenommen: `llmoin-desktop terms --accept`."))
    return EXIT_OK
