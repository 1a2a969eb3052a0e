"""Which inference server may be contacted (split out of ``remote.py``).

Why: only loopback servers or servers named by IT policy are contacted (data protection: a
clerk must not be able to send files to an arbitrary machine by editing a setting). Kept apart
from the HTTP code so the library server can reuse the loopback rule without the backend.
"""

from __future__ import annotations

from llmoin_desktop.core.errors import BackendError
from llmoin_desktop.core.i18n import _, tr

# Literal loopback address or hosts-file name only, never ``*.localhost`` by name (that goes
# to DNS); one rule for every server address: core/offline/loopback.py.
from llmoin_desktop.core.offline.loopback import http_parts, is_loopback_host


def normalise_url(url: str) -> str:
    """``http://host:8000/v1/`` → ``http://host:8000`` (API paths are added per request)."""
    url = url.strip().rstrip("/")
    if url.endswith("/v1"):
        url = url[: -len("/v1")]
    return url


def check_url(url: str, *, from_policy: bool) -> tuple[str, str, int]:
    """Refuse anything but http(s) to loopback, or to a host IT named in the policy."""
    if not url:
        raise BackendError(
            _(
                "Für den Server-Betrieb ist keine Serveradresse eingetragen (Einstellung "
                "remote_url). Bitte die IT-Abteilung fragen."
            )
        )
    parts = http_parts(url)
    if parts is None:
        raise invalid_url(url)
    scheme, host, port, _path = parts
    if not (from_policy or is_loopback_host(host)):
        raise BackendError(
            tr(
                "Der KI-Server {host} ist nicht von der IT-Abteilung freigegeben. Server außerhalb "
                "dieses Rechners dürfen nur per Richtlinie eingetragen werden.",
                host=host,
            )
        )
    return scheme, host, port


def invalid_url(url: str) -> BackendError:
    return BackendError(
        tr(
            "Die Serveradresse „{url}“ ist ungültig (erwartet z. B. http://ki-server:8000).",
            url=url,
        )
    )
