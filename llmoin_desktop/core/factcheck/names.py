"""Names: persons ("Frau Dr. Anna Müller"), authorities ("Bezirksamt Hamburg-Nord",
"Bundesamt für Migration und Flüchtlinge") and the names of laws.

German capitalises every noun, so a name is only taken where a cue says it is one: an
honorific or title for persons ("der Frau Mutterschaftsgeld" is no person: an article stands
before "Frau"), an authority word for authorities. Names are compared word by word with
inflection endings dropped ("des Bundesamtes" = "Bundesamt")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

Hit = tuple[int, int, str, object, dict]

NOT_NOUNS = frozenset(
    [
        "Der",
        "Die",
        "Das",
        "Den",
        "Dem",
        "Des",
        "Ein",
        "Eine",
        "Einer",
        "Eines",
        "Einem",
        "Einen",
        "Sie",
        "Er",
        "Es",
        "Wir",
        "Ich",
        "Ihr",
        "Ihre",
        "Im",
        "In",
        "Bei",
        "Für",
        "Nach",
        "Mit",
        "Von",
        "Vom",
        "Zu",
        "Zur",
        "Zum",
        "Auf",
        "Aus",
        "Als",
        "Am",
        "An",
        "Bis",
        "Ab",
        "Wenn",
        "Soweit",
        "Sofern",
        "Dies",
        "Diese",
        "Dieser",
        "Dieses",
        "Jede",
        "Jeder",
        "Jedes",
        "Und",
        "Oder",
        "Aber",
        "Auch",
        "Nur",
        "Über",
        "Unter",
        "Vor",
        "Seit",
        "Während",
        "Durch",
        "Gegen",
        "Ohne",
        "Um",
        "Wird",
        "Werden",
        "Ist",
        "Sind",
        "Hat",
        "Haben",
        "Kann",
        "Können",
        "Muss",
        "Soll",
        "Sollen",
        "Darf",
        "Bitte",
        "Hierzu",
        "Dabei",
        "Danach",
        "Damit",
        "Dazu",
        "Daher",
        "Deshalb",
        "So",
        "Sehr",
        "Mit",
        "Ihnen",
        "Euro",
        "Prozent",
        "Uhr",
    ]
)

# Laws: long name → abbreviation, so "§ 9 Verwaltungsverfahrensgesetz" = "§ 9 VwVfG".
LAW_ALIASES = {
    "verwaltungsverfahrensgesetz": "vwvfg",
    "verwaltungsgerichtsordnung": "vwgo",
    "bundesmeldegesetz": "bmg",
    "bundesreisekostengesetz": "brkg",
    "mutterschutzgesetz": "muschg",
    "bundeselterngeldundelternzeitgesetz": "beeg",
    "elterngeldgesetz": "beeg",
    "informationsfreiheitsgesetz": "ifg",
    "bundesdatenschutzgesetz": "bdsg",
    "personalausweisgesetz": "pauswg",
    "teilzeitundbefristungsgesetz": "tzbfg",
    "bundesumzugskostengesetz": "bukg",
    "bundesurlaubsgesetz": "burlg",
    "egovernmentgesetz": "egovg",
    "verwaltungszustellungsgesetz": "vwzg",
    "grundgesetz": "gg",
    "bürgerlichesgesetzbuch": "bgb",
    "bürgerlichengesetzbuch": "bgb",
    "datenschutzgrundverordnung": "dsgvo",
    "zivilprozessordnung": "zpo",
    "strafgesetzbuch": "stgb",
    "abgabenordnung": "ao",
    "handelsgesetzbuch": "hgb",
    "beamtenstatusgesetz": "beamtstg",
    "bundesbeamtengesetz": "bbg",
    "sozialgesetzbuch": "sgb",
}
_NOT_LAWS = frozenset(
    [
        "eu",
        "it",
        "eur",
        "usd",
        "chf",
        "gbp",
        "iban",
        "bic",
        "pdf",
        "bgbl",
        "din",
        "iso",
        "edv",
        "ki",
        "gmbh",
        "ag",
        "ev",
        "kg",
        "ohg",
        "nr",
        "abs",
        "dm",
    ]
)
_GENERIC_LAWS = frozenset(
    {"gesetz", "verordnung", "ordnung", "gesetzbuch", "rechtsverordnung", "grundverordnung"}
)


def law_key(name: str) -> str | None:
    """ "VwVfG", "Verwaltungsverfahrensgesetzes", "SGB X" → "vwvfg", …, "sgbx"; None for a
    word that names no particular law ("Gesetzes")."""
    eu = re.search(r"\((EU|EG|EWG)\)\s*(?:Nr\.\s*)?(\d+/\d+)", name)
    if eu:  # "Verordnung (EU) 2016/679" (= DSGVO), "Richtlinie (EU) 2016/680"
        return "dsgvo" if eu.group(2) == "2016/679" else f"{eu.group(1).casefold()}-{eu.group(2)}"
    key = re.sub(r"[\s\-–]", "", name).casefold()
    for long, short in (("gesetzbuches", "gesetzbuch"), ("gesetzbuchs", "gesetzbuch")):
        if key.endswith(long):
            key = key[: -len(long)] + short
    if key.endswith("gesetzes"):
        key = key[:-2]
    if key.endswith("ordnungs"):
        key = key[:-1]
    roman = re.search(r"([ivx]+)$", key) if key.startswith(("sgb", "sozialgesetzbuch")) else None
    base = key[: roman.start()] if roman else key
    base = LAW_ALIASES.get(base, base)
    key = base + (roman.group(1) if roman else "")
    if key in _NOT_LAWS or key in _GENERIC_LAWS or len(key) < 2:
        return None
    return key


def law_identity(title: str, head: str, file_name: str) -> set[str]:
    """Which law a source *is*: the abbreviation and long name from its title or first lines
    ("Verwaltungsverfahrensgesetz (VwVfG)", "jurabk: BUKG 1990") and the file name."""
    keys: set[str] = set()
    stem = re.sub(r"[_\-]?\d{4}$", "", file_name.rsplit(".", 1)[0]).casefold()
    if stem.isalpha():
        keys.add(stem)
    for m in re.finditer(
        r"\(([A-ZÄÖÜ][A-Za-zÄÖÜäöü]*[A-Z][A-Za-z]*(?: [IVX]+)?)(?: \d{4})?\)", head
    ):
        k = law_key(m.group(1))
        if k:
            keys.add(k)
    m = re.search(r"jurabk:\s*([^\n]+?)(?:\s+\d{4})?\s*$", head, re.M)
    if m:
        k = law_key(m.group(1))
        if k:
            keys.add(k)
    for m in re.finditer(
        r"\b([A-ZÄÖÜ][a-zäöüß-]+(?:gesetz|ordnung|gesetzbuch))\b", title + " " + head[:600]
    ):
        k = law_key(m.group(1))
        if k:
            keys.add(k)
    return keys


_INFLECT = ("es", "en", "er", "em", "s", "n", "e")


@lru_cache(maxsize=65536)
def norm_word(word: str) -> str:
    """Case and inflection folded: "Bundesamtes" → "bundesamt", "Innern" → "inner"."""
    w = word.casefold()
    for ending in _INFLECT:
        if w.endswith(ending) and len(w) - len(ending) >= 4:
            return w[: -len(ending)]
    return w


_ARTICLES = frozenset(
    [
        "der",
        "die",
        "das",
        "dem",
        "den",
        "des",
        "ein",
        "eine",
        "einer",
        "einem",
        "eines",
        "jede",
        "jeder",
        "jedes",
        "keine",
        "keiner",
        "diese",
        "dieser",
        "welche",
        "welcher",
        "schwangere",
        "stillende",
        "betroffene",
        "jene",
        "andere",
    ]
)
_NAME = r"[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?"
_PERSON = re.compile(
    r"(?<![A-Za-zäöüß])(Herrn|Herr|Frau|Fr\.|Hr\.|Familie|Eheleute)\s+((?:(?:Prof\.|Dr\.|Dipl\.-[A-Za-z]+\.?|"
    rf"med\.|jur\.)\s*)*)((?:{_NAME}|von|van|de|zu|der)(?:\s+(?:{_NAME}|von|van|de|zu|der))"
    r"{0,3})"
)
_DOCTOR = re.compile(
    r"(?<![A-Za-zäöüß])((?:Prof\.\s*)?Dr\.(?:\s*(?:med|jur|phil|rer\. nat)\.)?)"
    rf"\s+({_NAME}(?:\s+{_NAME})?)"
)
_NOUN_END = (
    "ung",
    "heit",
    "keit",
    "schaft",
    "geld",
    "zeit",
    "recht",
    "gesetz",
    "behörde",
    "amt",
    "stelle",
    "frist",
    "antrag",
    "leistung",
    "ion",
    "tät",
    "nis",
    "ungen",
    "lich",
    "isch",
    "mutter",
    "kind",
    "vater",
    "tag",
    "jahr",
    "monat",
    "woche",
    "schutz",
    "urlaub",
    "arbeit",
    "stelle",
    "geber",
    "nehmerin",
    "nehmer",
    "zahl",
    "bedarf",
    "bescheid",
)


def _name_tokens(raw: str) -> list[str]:
    tokens: list[str] = []
    for tok in raw.split():
        if tok in ("von", "van", "de", "zu", "der"):
            if not tokens:
                break
            continue
        if tok in NOT_NOUNS or tok.casefold().endswith(_NOUN_END):
            break
        tokens.append(tok)
    return tokens


# Roles that name a person after a colon ("Sachbearbeiterin: Petra Schulze", "gez. Meyer").
_ROLE = re.compile(
    r"(?<![A-Za-zäöüß])(Sachbearbeiter(in)?|Ansprechpartner(in)?|Bearbeiter(in)?|gez\.)"
    rf"(?::|\s*:)?\s+((?:(?:Prof\.|Dr\.)\s*)*{_NAME}(?:\s+{_NAME})?)"
)


def find_persons(text: str) -> Iterator[Hit]:
    for m in _ROLE.finditer(text):
        if not m.group(0)[len(m.group(1)) :].lstrip().startswith(":") and m.group(1) != "gez.":
            continue  # "der Sachbearbeiter Anträge …" is no name
        if m.group(5).startswith(("Herr", "Frau")):
            continue  # "Ansprechpartner: Herr Klaus Wagner": the honorific pattern takes it
        raw = re.sub(r"(?:Prof\.|Dr\.)\s*", "", m.group(5))
        tokens = _name_tokens(raw)
        if tokens:
            gender = "f" if (m.group(2) or m.group(3) or m.group(4)) else None
            end = m.start(5) + len(m.group(5).split(tokens[-1])[0]) + len(tokens[-1])
            value = ("person", tuple(norm_word(t) for t in tokens))
            yield m.start(5), end, "person", value, {"gender": gender}
    for m in _PERSON.finditer(text):
        before = text[max(0, m.start() - 24) : m.start()].split()
        if before and before[-1].casefold() in _ARTICLES:
            continue
        tokens = _name_tokens(m.group(3))
        if not tokens:
            continue
        end = m.start(3) + len(" ".join(m.group(3).split()[: _count_raw(m.group(3), tokens)]))
        gender = (
            {"F": "f", "H": "m"}.get(m.group(1)[0]) if m.group(1)[:2] not in ("Fa", "Eh") else None
        )
        value = ("person", tuple(norm_word(t) for t in tokens))
        yield m.start(), end, "person", value, {"gender": gender}
    for m in _DOCTOR.finditer(text):
        tokens = _name_tokens(m.group(2))
        if tokens:
            end = m.start(2) + len(" ".join(tokens))
            value = ("person", tuple(norm_word(t) for t in tokens))
            yield m.start(), end, "person", value, {}


def _count_raw(raw: str, tokens: list[str]) -> int:
    """How many raw words the kept tokens span (particles included)."""
    words = raw.split()
    seen = 0
    for i, w in enumerate(words):
        if seen < len(tokens) and w == tokens[seen]:
            seen += 1
            if seen == len(tokens):
                return i + 1
    return len(words)


_AUTH_SUFFIX = (
    r"(?:amt|ämter|behörde|behörden|ministerium|ministeriums|ministerien|gericht|gerichts|"
    r"agentur|direktion|präsidium|kammer|kasse|anstalt)"
)
_AUTH = re.compile(
    rf"(?<![A-Za-zäöüß-])([A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ]?[a-zäöüß]+)*{_AUTH_SUFFIX}(?:es|s|en|n|e)?)"
    r"(?![a-zäöüß])"
    r"((?:\s+(?:für|des|der)(?:\s+(?:den|die|das|der|des))?\s+[A-ZÄÖÜ][\wäöüß-]+"
    r"(?:,?\s+(?:und|für)(?:\s+(?:für|den|die|das|der|des))?\s+[A-ZÄÖÜ][\wäöüß-]+)*)?)"
)
_PLACE_HEAD = re.compile(
    r"(?<![A-Za-zäöüß-])(Stadt|Gemeinde|Landkreis|Kreis|Bezirk|Samtgemeinde|Hansestadt|"
    r"Landeshauptstadt|Kreisstadt)\s+(" + _NAME + r")(?=[\s,.;:)]|$)"
)
_PLACE_TAIL = re.compile(r"\s+(" + _NAME + r")(?=\s*[,.;:)]|\s+[a-zäöü]|$)")
_NOT_AUTH = ("beamt", "gesamt", "insgesamt", "samt")


def find_authorities(text: str) -> Iterator[Hit]:
    for m in _AUTH.finditer(text):
        head = m.group(1)
        if head.casefold().startswith(_NOT_AUTH) or "beamt" in head.casefold():
            continue
        end = m.end(1)
        tail = m.group(2)
        words = [head]
        if tail:
            end = m.end(2)
            words += tail.split()
        else:
            p = _PLACE_TAIL.match(text, end)
            if p and p.group(1) not in NOT_NOUNS and not p.group(1).casefold().endswith(_NOUN_END):
                end = p.end()
                words.append(p.group(1))
        value = ("authority", " ".join(norm_word(w.strip(",")) for w in words))
        yield m.start(), end, "authority", value, {"head": norm_word(head)}
    for m in _PLACE_HEAD.finditer(text):
        name = m.group(2)
        if name in NOT_NOUNS or name.casefold().endswith(_NOUN_END):
            continue
        value = ("authority", norm_word(m.group(1)) + " " + norm_word(name))
        yield m.start(), m.end(), "authority", value, {"head": norm_word(m.group(1))}
