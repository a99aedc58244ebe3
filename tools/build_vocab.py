"""Snapshot Faker's vocabularies into seedbed's package data.

Generated data must not change when a different Faker release is installed, so
seedbed reads these frozen lists instead of calling Faker at run time. Rerun this
only on purpose: changing a list changes generated data (a breaking change that
goes in CHANGELOG.md).

    python tools/build_vocab.py en_US de_DE fr_FR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from faker import Faker

OUT = Path(__file__).resolve().parents[1] / "src" / "seedbed" / "generate" / "vocab"


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
    if hasattr(address, "states_postcode"):  # en_US: ZIP ranges per state
        # the abbreviations list DC among the states, the names do not: without it they pair up
        abbrs = [a for a in address.states_abbr if a != "DC"]
        pairs = list(zip(address.states, abbrs, strict=True))
        assert all(name[0] == abbr[0] for name, abbr in pairs), "state names and codes no longer pair up"
        for name, abbr in pairs:
            lo, hi = address.states_postcode[abbr]
            rows.append(f"{name}|{abbr}|{lo:05d}|{hi:05d}")
    elif hasattr(address, "departments"):  # fr_FR: a postcode starts with its department
        for code, name in address.departments:
            if code.isdigit():
                rows.append(f"{name}|{code}|{code}000|{code}999")
    elif hasattr(address, "states"):
        rows = [f"{name}|||" for name in address.states]
    return {
        "home_country": [fake.current_country()],
        "home_country_code": [fake.current_country_code()],
        "region": rows,
    }


def main(locales: list[str], only_regions: bool = False) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for loc in locales:
        path = OUT / f"{loc}.json"
        data = json.loads(path.read_text(encoding="utf-8")) if only_regions else build(loc)
        data.update(regions(loc))
        path.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n")
        print(loc, {k: len(v) for k, v in data.items()})


if __name__ == "__main__":
    args = sys.argv[1:]
    # --regions: add the regions to the existing snapshot, leaving every other list as it is
    main([a for a in args if a != "--regions"] or ["en_US"], only_regions="--regions" in args)
