"""Case generation for bench/factcheck.py: faithful texts, single-fact corruptions, rewordings.

Corruptions are the errors small models make: one digit changed, § and Abs. swapped, a date
shifted by days or a year, a period's number or unit changed, another law named, another
surname or office, and invented file numbers, amounts, dates, phone numbers and persons.
Rewordings write the same value another way ("37 Euro" → "37,00 €", "drei Wochen" → "21
Tage", "§ 5 Abs. 2 Satz 1" → "§ 5 II 1", "01.03.2026" → "1. März 2026").
"""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal

from llmoin_desktop.core.factcheck.model import Fact
from llmoin_desktop.core.factcheck.numbers import parse_number

WORDS = ["", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn"]
WORDS += ["elf", "zwölf"]
MONTHS = ["", "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August"]
MONTHS += ["September", "Oktober", "November", "Dezember"]
SURNAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
]
SURNAMES += [
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Braun",
    "Zimmermann",
    "Hartmann",
    "Krause",
    "Lange",
]
PLACES = [
    "Altona",
    "Wandsbek",
    "Eimsbüttel",
    "Harburg",
    "Bergedorf",
    "Leipzig",
    "Chemnitz",
    "Bonn",
    "Hamburg-Nord",
]
PREFIXES = [
    "Ordnungs",
    "Sozial",
    "Standes",
    "Jugend",
    "Finanz",
    "Ausländer",
    "Melde",
    "Gesundheits",
    "Bau",
    "Umwelt",
]
LAWS = ["VwVfG", "VwGO", "BMG", "BRKG", "MuSchG", "BEEG", "IFG", "BDSG", "PAuswG", "TzBfG"]
LAWS += ["BUKG", "BUrlG", "EGovG", "VwZG", "SGB X", "BGB"]
LONG_NAMES = {
    "VwVfG": "Verwaltungsverfahrensgesetz",
    "VwGO": "Verwaltungsgerichtsordnung",
    "BMG": "Bundesmeldegesetz",
    "BRKG": "Bundesreisekostengesetz",
    "MuSchG": "Mutterschutzgesetz",
    "IFG": "Informationsfreiheitsgesetz",
    "BDSG": "Bundesdatenschutzgesetz",
    "PAuswG": "Personalausweisgesetz",
    "BUKG": "Bundesumzugskostengesetz",
    "BUrlG": "Bundesurlaubsgesetz",
    "VwZG": "Verwaltungszustellungsgesetz",
}


def de_num(value: Decimal, decimals: int | None = None) -> str:
    """German spelling: 1592.5 → "1.592,50" (decimals=2), 37 → "37"."""
    q = value if decimals is None else value.quantize(Decimal(1).scaleb(-decimals))
    sign, digits, exp = q.as_tuple()
    text = format(q, "f")
    whole, _dot, frac = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = ".".join(groups)
    if frac and (decimals or frac.strip("0")):
        out += "," + (frac if decimals else frac.rstrip("0"))
    return out


def _num_word(n: Decimal) -> str:
    return WORDS[int(n)] if n == int(n) and 2 <= n <= 12 else de_num(n)


# --- corruptions --------------------------------------------------------------------------------
def change_digit(text: str, rng: random.Random, skip_leading: bool = True) -> str | None:
    spots = [i for i, c in enumerate(text) if c.isdigit()]
    if not spots:
        return None
    i = rng.choice(spots)
    leading = i == 0 or not text[i - 1].isdigit()
    choices = [d for d in "0123456789" if d != text[i] and not (leading and d == "0")]
    return text[:i] + rng.choice(choices) + text[i + 1 :]


def _swap_word(text: str, rng: random.Random) -> str | None:
    for w in WORDS[2:]:
        m = re.search(rf"\b{w}\b", text, re.I)
        if m:
            other = rng.choice([x for x in WORDS[2:] if x != w])
            return text[: m.start()] + other + text[m.end() :]
    return None


def corrupt_period(f: Fact, rng: random.Random) -> str | None:
    dim, n = f.value[1], Decimal(f.value[2])
    units = {"d": ["Tage", "Wochen", "Monate"], "m": ["Monate", "Jahre", "Wochen"]}
    units |= {"min": ["Stunden", "Tage"], "wd": ["Werktage", "Wochen"], "ad": ["Arbeitstage"]}
    if rng.random() < 0.6:
        if dim == "d" and n % 7 == 0:
            k, unit = n / 7, "Wochen"
        elif dim == "m" and n % 12 == 0:
            k, unit = n / 12, "Jahre"
        elif dim == "min" and n % 60 == 0:
            k, unit = n / 60, "Stunden"
        else:
            k, unit = n, units[dim][0]
        other = rng.choice([x for x in range(2, 13) if x != k])
        return f"{_num_word(Decimal(other))} {unit}"
    num = f.text.split()[0]
    if parse_number(num) is None or num.casefold().startswith("ein"):
        num = "zwei"
    return f"{num} {rng.choice(units[dim][1:] or ['Jahre'])}"


def corrupt_date(f: Fact, rng: random.Random) -> str | None:
    _k, y, m, d = f.value
    if y and m and d:
        shift = rng.choice([-30, -7, -3, -2, -1, 1, 2, 3, 7, 14, 365, -365])
        new = dt.date(y, m, d) + dt.timedelta(days=shift)
        return render_date(new.year, new.month, new.day, style_of(f.text))
    if m and d:
        return render_date(None, m, max(1, min(28, d + rng.choice([-3, -1, 1, 2]))), "num")
    if y and m:
        return f"{MONTHS[m % 12 + 1]} {y}"
    if y:
        return f.text.replace(str(y), str(y + rng.choice([-2, -1, 1, 2])))
    return None


def style_of(text: str) -> str:
    if re.search(r"[A-Za-zä]", text):
        return "name"
    if "-" in text:
        return "iso"
    parts = re.findall(r"\d+", text)
    if len(parts) == 3 and len(parts[2]) == 2:
        return "short"
    return "num" if parts and len(parts[0]) == 2 else "num1"


def render_date(y: int | None, m: int, d: int, style: str) -> str:
    if style == "name":
        return f"{d}. {MONTHS[m]}" + (f" {y}" if y else "")
    if style == "iso" and y:
        return f"{y}-{m:02}-{d:02}"
    if style == "short" and y:
        return f"{d}.{m}.{y % 100:02}"
    if style == "num1":
        return f"{d}.{m}." + (str(y) if y else "")
    return f"{d:02}.{m:02}." + (str(y) if y else "")


def corrupt_ref(f: Fact, rng: random.Random) -> str | None:
    t = f.text
    nums = list(re.finditer(r"\d+", t))
    law = f.value[2]
    options = ["bump"]
    if len(nums) >= 2 and nums[0].group(0) != nums[1].group(0):
        options += ["swap", "swap"]
    if law:
        options.append("law")
    choice = rng.choice(options)
    if choice == "swap":
        a, b = nums[0], nums[1]
        return t[: a.start()] + b.group(0) + t[a.end() : b.start()] + a.group(0) + t[b.end() :]
    if choice == "law":
        m = re.search(r"(?:[A-ZÄÖÜ][A-Za-zÄÖÜäöü]*[A-Z][A-Za-z]*(?: [IVX]+)?|\w+gesetz\w*)$", t)
        if m:
            other = rng.choice([x for x in LAWS if x.casefold() != m.group(0).casefold()])
            return t[: m.start()] + other
    a = rng.choice(nums[:2]) if nums else None
    if a is None:
        return None
    n = int(a.group(0))
    new = max(1, n + rng.choice([-3, -2, -1, 1, 1, 2, 3, 10]))
    if new == n:
        new = n + 1
    return t[: a.start()] + str(new) + t[a.end() :]


def corrupt_person(f: Fact, rng: random.Random) -> str | None:
    last = f.text.split()[-1]
    return f.text[: len(f.text) - len(last)] + rng.choice([s for s in SURNAMES if s != last])


def corrupt_authority(f: Fact, rng: random.Random) -> str | None:
    words = f.text.split()
    if len(words) >= 2:
        return " ".join(words[:-1] + [rng.choice([p for p in PLACES if p != words[-1]])])
    m = re.match(r"([A-ZÄÖÜ][a-zäöüß]+?)(amt|behörde|ministerium|gericht|kasse|kammer)\w*$", f.text)
    if not m:
        return None
    prefix = rng.choice([p for p in PREFIXES if p.casefold() != m.group(1).casefold().rstrip("s")])
    return prefix + f.text[m.start(2) :]


def corrupt_email(f: Fact, rng: random.Random) -> str | None:
    local, _at, domain = f.text.partition("@")
    letters = [i for i, c in enumerate(local) if c.isalpha()]
    if not letters:
        return None
    i = rng.choice(letters)
    c = rng.choice([x for x in "aeiklmnrst" if x != local[i]])
    return local[:i] + c + local[i + 1 :] + "@" + domain


def corrupt(f: Fact, rng: random.Random) -> str | None:
    kind = f.kind
    if kind == "period":
        return corrupt_period(f, rng)
    if kind == "date":
        return corrupt_date(f, rng)
    if kind == "reference":
        return corrupt_ref(f, rng)
    if kind == "person":
        return corrupt_person(f, rng)
    if kind == "authority":
        return corrupt_authority(f, rng)
    if kind == "email":
        return corrupt_email(f, rng)
    if kind in ("amount", "percent", "number") and not re.search(r"\d", f.text):
        return _swap_word(f.text, rng)
    return change_digit(f.text, rng)


def invented(rng: random.Random) -> tuple[str, str]:
    """A sentence with an invented fact a model adds: (sentence, the fact's text)."""
    kinds = [
        ("file_number", f"{rng.randint(1, 9)} K {rng.randint(100, 9999)}/{rng.randint(20, 26)}"),
        (
            "file_number",
            f"{rng.choice(['VS', 'OA', 'III B', 'Z'])} {rng.randint(10, 99)}-"
            f"{rng.randint(1000, 9999)}/{rng.randint(2024, 2026)}",
        ),
        ("amount", f"{rng.randint(12, 950)},{rng.choice(['00', '50', '90'])} Euro"),
        ("date", f"{rng.randint(1, 28)}. {MONTHS[rng.randint(1, 12)]} {rng.randint(2025, 2027)}"),
        ("phone", f"040 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"),
        ("person", f"Frau {rng.choice(SURNAMES)}"),
        (
            "email",
            f"{rng.choice(['info', 'poststelle', 'service'])}@{rng.choice(PLACES).lower()}.de",
        ),
    ]
    kind, value = rng.choice(kinds)
    templates = {
        "file_number": "Das Verfahren wird unter dem Aktenzeichen {v} geführt.",
        "amount": "Die Verwaltungsgebühr beträgt {v}.",
        "date": "Die Regelung gilt ab dem {v}.",
        "phone": "Rückfragen beantwortet die Behörde unter Telefon {v}.",
        "person": "Zuständig ist {v}.",
        "email": "Anträge können auch an {v} geschickt werden.",
    }
    return templates[kind].format(v=value), value


# --- rewordings ---------------------------------------------------------------------------------
def reword(f: Fact, rng: random.Random) -> str | None:
    v = f.value
    kind = f.kind
    if kind == "amount" and v[1] == "EUR":
        n = Decimal(v[2])
        options = [f"{de_num(n, 2)} €", f"EUR {de_num(n)}", f"{de_num(n)} Euro", f"{de_num(n)} €"]
        if n == int(n):
            options.append(f"{de_num(n)},- €")
        return _other(options, f.text, rng)
    if kind == "percent" and v[1] == "%":
        n = Decimal(v[2])
        options = [f"{de_num(n)} %", f"{de_num(n)} Prozent", f"{de_num(n)} v. H."]
        if n == int(n) and 2 <= n <= 12:
            options.append(f"{WORDS[int(n)]} Prozent")
        return _other(options, f.text, rng)
    if kind == "period":
        return _reword_period(v[1], Decimal(v[2]), f.text, rng)
    if kind == "date":
        _k, y, m, d = v
        if not (m and d):
            return None
        styles = ["name", "num", "num1"] + (["short", "iso"] if y else [])
        return _other([render_date(y, m, d, s) for s in styles], f.text, rng)
    if kind == "time":
        h, mi = v[1], v[2]
        options = [f"{h}:{mi:02} Uhr", f"{h}.{mi:02} Uhr", f"{h:02}:{mi:02} Uhr"]
        if mi == 0:
            options.append(f"{h} Uhr")
        return _other(options, f.text, rng)
    if kind == "reference":
        return _reword_ref(f, rng)
    if kind == "iban":
        code = v[1]
        spaced = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
        return _other([code, spaced], f.text, rng)
    if kind == "phone":
        digits = v[1]
        if not digits.startswith("0") or digits.startswith("00"):
            return None
        area = 3 if digits.startswith(("030", "040", "069", "089")) else 4
        options = [
            f"+49 {digits[1:area]} {digits[area:]}",
            f"{digits[:area]}/{digits[area:]}",
            f"({digits[:area]}) {digits[area:]}",
        ]
        return _other(options, f.text, rng)
    if kind == "person":
        words = f.text.split()
        if len(words) >= 3:
            return f"{words[0]} {words[-1]}"
        return None
    if kind == "number" and v[0] == "number" and v[1] == "m":
        n = Decimal(v[2])
        options = [f"{de_num(n)} Meter", f"{de_num(n)} m"]
        if n >= 1000:
            options.append(f"{de_num(n / 1000)} km")
        return _other(options, f.text, rng)
    if kind == "number" and v[0] == "count" and re.match(r"\d+ ", f.text):
        n = int(f.text.split()[0])
        if 2 <= n <= 12:
            return WORDS[n] + f.text[len(str(n)) :]
    return None


def _other(options: list[str], text: str, rng: random.Random) -> str | None:
    rest = [o for o in options if o.replace(" ", "") != text.replace(" ", "")]
    return rng.choice(rest) if rest else None


def _reword_period(dim: str, n: Decimal, text: str, rng: random.Random) -> str | None:
    options: list[str] = []
    if dim == "d":
        options.append(f"{de_num(n)} Tage")
        if n % 7 == 0:
            options += [f"{_num_word(n / 7)} Wochen", f"{de_num(n / 7)} Wochen"]
            if n == 7:
                options.append("eine Woche")
        elif 2 <= n <= 12:
            options.append(f"{WORDS[int(n)]} Tage")
    elif dim == "m":
        if n % 12 == 0:
            k = n / 12
            options += [f"{de_num(n)} Monate"]
            options += ["ein Jahr"] if k == 1 else [f"{_num_word(k)} Jahre", f"{de_num(k)} Jahre"]
        else:
            options += (
                ["ein Monat"] if n == 1 else [f"{_num_word(n)} Monate", f"{de_num(n)} Monate"]
            )
    elif dim == "min" and n % 60 == 0:
        k = n / 60
        options += (
            ["eine Stunde"] if k == 1 else [f"{_num_word(k)} Stunden", f"{de_num(k)} Stunden"]
        )
    elif dim in ("wd", "ad"):
        unit = "Werktage" if dim == "wd" else "Arbeitstage"
        options += [f"{de_num(n)} {unit}"] + ([f"{WORDS[int(n)]} {unit}"] if 2 <= n <= 12 else [])
    return _other(options, text, rng)


_ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def _reword_ref(f: Fact, rng: random.Random) -> str | None:
    _k, singles, law = f.value
    if len(singles) != 1:
        return None
    kind, num, abs_, satz, nr, lit = singles[0]
    head = "§" if kind == "§" else "Art."
    law_text = ""
    m = re.search(r"(?:[A-ZÄÖÜ][A-Za-zÄÖÜäöü]*[A-Z][A-Za-z]*(?: [IVX]+)?|\w+gesetz\w*)$", f.text)
    if law and m:
        law_text = m.group(0)
        if law_text in LONG_NAMES and rng.random() < 0.5:
            law_text = LONG_NAMES[law_text]
    options = []
    spelled = [f"{head} {num}"]
    if abs_:
        spelled.append(f"Absatz {abs_}" if rng.random() < 0.5 else f"Abs. {abs_}")
    if satz:
        spelled.append(f"Satz {satz}" if rng.random() < 0.5 else f"S. {satz}")
    if nr:
        spelled.append(f"Nummer {nr}" if rng.random() < 0.5 else f"Nr. {nr}")
    if lit:
        spelled.append(f"Buchstabe {lit}")
    options.append(" ".join(spelled))
    if abs_ and abs_.isdigit() and int(abs_) < len(_ROMAN) and not nr and not lit:
        options.append(f"{head} {num} {_ROMAN[int(abs_)]}" + (f" {satz}" if satz else ""))
    out = _other(options, f.text, rng)
    return f"{out} {law_text}".strip() if out else None
