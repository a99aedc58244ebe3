"""Snapshot Faker's vocabularies into seedbed's package data.

Generated data must not change when a different Faker release is installed, so
seedbed reads these frozen lists instead of calling Faker at run time. Rerun this
only on purpose: changing a list changes generated data (a breaking change that
goes in CHANGELOG.md).

    python tools/build_vocab.py en_US de_DE fr_FR
    python tools/build_vocab.py --all      # every locale Faker ships the providers for
    python tools/build_vocab.py --phones de_DE fr_FR   # add phone formats, nothing else

A locale is built when Faker has its own person, address, company and phone providers
(``NEEDED``). A list that is the same as en_US's (Faker falling back to English, or a
list no locale changes: MIME types, user agents) is left out of the locale's file: seedbed
reads en_US's then, and the package stays small.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path

from faker import Faker
from faker.config import AVAILABLE_LOCALES

OUT = Path(__file__).resolve().parents[1] / "src" / "seedbed" / "generate" / "vocab"
NEEDED = ("person", "address", "company", "phone_number")


def buildable() -> list[str]:
    """The locales Faker ships every provider of ``NEEDED`` for, in its own module."""
    out = []
    for loc in AVAILABLE_LOCALES:
        try:
            for provider in NEEDED:
                importlib.import_module(f"faker.providers.{provider}.{loc}")
        except ImportError:
            continue
        out.append(loc)
    return out


# lists no locale has its own of (seedbed reads en_US's): left out of the other locales' files
_SHARED = {"user_agent", "mime_type", "file_extension", "timezone", "currency"}
_AT_MOST = {"company": 1000, "catch_phrase": 1000, "bs": 1000, "postcode": 1000, "domain": 500}


def _smaller(data: dict[str, list[str]], locale: str) -> dict[str, list[str]]:
    """The long sampled lists cut to ``_AT_MOST`` (every third value: still spread over the
    sorted list); catch phrases and bs only where the locale's company provider has its own."""
    company = importlib.import_module(f"faker.providers.company.{locale}").Provider
    out: dict[str, list[str]] = {}
    for kind, most in _AT_MOST.items():
        values = data.get(kind, [])
        if kind in ("catch_phrase", "bs") and not ({"catch_phrase_words", "bsWords"} & set(vars(company))):
            out[kind] = []
        elif len(values) > most:
            step = len(values) / most
            out[kind] = [values[int(i * step)] for i in range(most)]
    return out


def phone_formats(locale: str) -> list[str]:
    """The locale's phone number formats seedbed fills itself: ``#`` a digit, ``%`` 1-9,
    ``$`` 2-9. A format's ``{{area_code}}`` parts are expanded to values Faker gives them
    (up to 20 each); formats with optional digits are left out."""
    fake = Faker(locale)
    fake.seed_instance(20251031)
    out: set[str] = set()
    for f in fake.provider("faker.providers.phone_number").formats:
        for _ in range(20 if "{{" in f else 1):
            out.add(re.sub(r"\{\{(\w+)\}\}", lambda m: str(getattr(fake, m[1])()), f))
    return sorted(f for f in out if "!" not in f and "@" not in f and "{" not in f and "#" in f)


def unique_sample(make, n: int) -> list[str]:
    seen: dict[str, None] = {}
    for _ in range(n * 20):
        seen.setdefault(make(), None)
        if len(seen) >= n:
            break
    return list(seen)


def build(locale: str) -> dict[str, list[str]]:
    fake = Faker(locale)
    fake.seed_instance(20251031)
    person = fake.provider("faker.providers.person")
    lorem = fake.provider("faker.providers.lorem")
    job = fake.provider("faker.providers.job")
    dt = fake.provider("faker.providers.date_time")
    return {
        "first_name": sorted(set(person.first_names)),
        "last_name": sorted(set(person.last_names)),
        "word": sorted(set(lorem.word_list)),
        "job": sorted(set(job.jobs)),
        "city": sorted(unique_sample(fake.city, 1500)),
        "street": sorted(unique_sample(fake.street_name, 1500)),
        "state": sorted(unique_sample(fake.state, 60)) if hasattr(fake, "state") else [],
        "country": sorted(unique_sample(fake.country, 250)),
        "country_code": sorted(unique_sample(fake.country_code, 250)),
        "postcode": sorted(unique_sample(fake.postcode, 3000)),
        "company": sorted(unique_sample(fake.company, 3000)),
        "catch_phrase": sorted(unique_sample(fake.catch_phrase, 3000)),
        "bs": sorted(unique_sample(fake.bs, 3000)) if hasattr(fake, "bs") else [],
        "domain": sorted(unique_sample(fake.domain_name, 2000)),
        "timezone": sorted({tz for c in dt.countries for tz in c.timezones}),
        "color": sorted(unique_sample(fake.color_name, 140)),
        "currency": sorted(unique_sample(fake.currency_code, 160)),
        "file_extension": sorted(unique_sample(fake.file_extension, 40)),
        "mime_type": sorted(unique_sample(fake.mime_type, 120)),
        "user_agent": sorted(unique_sample(fake.user_agent, 500)),
    }


def regions(locale: str) -> dict[str, list[str]]:
    """The locale's own country and its regions, each ``name|code|lowest postcode|highest``
    (postcodes unknown: empty), so an address's region, postcode and country agree."""
    fake = Faker(locale)
    address = fake.provider("faker.providers.address")
    rows: list[str] = []
    pairs: list[tuple[str, str]] = []
    if hasattr(address, "states_postcode") and hasattr(address, "states_abbr"):  # en_US: ZIP ranges per state
        # the abbreviations list DC among the states, the names do not: without it they pair up
        abbrs = [a for a in address.states_abbr if a != "DC"]
        if len(abbrs) == len(address.states):
            pairs = list(zip(address.states, abbrs, strict=True))
        if not all(name[0] == abbr[0] and abbr in address.states_postcode for name, abbr in pairs):
            pairs = []  # names and codes that do not pair up: the names alone, below
    if pairs:
        for name, abbr in pairs:
            lo, hi = address.states_postcode[abbr]
            rows.append(f"{name}|{abbr}|{lo:05d}|{hi:05d}")
    elif hasattr(address, "departments"):  # fr_FR: a postcode starts with its department
        for code, name in address.departments:
            if code.isdigit():
                rows.append(f"{name}|{code}|{code}000|{code}999")
    elif hasattr(address, "states") and address.states:
        rows = [f"{name}|||" for name in address.states]
    return {
        "home_country": [fake.current_country()],
        "home_country_code": [fake.current_country_code()],
        "region": rows,
    }


def main(locales: list[str], only: str | None = None) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    english = json.loads((OUT / "en_US.json").read_text(encoding="utf-8"))
    for loc in locales:
        path = OUT / f"{loc}.json"
        if only is not None:  # one part added to the existing snapshot, every other list as it is
            data = json.loads(path.read_text(encoding="utf-8"))
            data.update(regions(loc) if only == "--regions" else {"phone_format": phone_formats(loc)})
        else:
            data = build(loc)
            data.update(regions(loc))
            data["phone_format"] = phone_formats(loc)
            if loc != "en_US":
                data = {k: v for k, v in data.items() if v != english.get(k) and k not in _SHARED}
                data.update(_smaller(data, loc))
        path.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n")
        print(loc, {k: len(v) for k, v in data.items()})


if __name__ == "__main__":
    args = sys.argv[1:]
    # --regions / --phones: add that part to the existing snapshots
    only = next((a for a in args if a in ("--regions", "--phones")), None)
    names = [a for a in args if not a.startswith("--")]
    if "--all" in args:
        names = [loc for loc in buildable() if not (OUT / f"{loc}.json").exists()]
    main(names or ["en_US"], only=only)
