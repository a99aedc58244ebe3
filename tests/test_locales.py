"""Every locale seedbed ships draws its values from its own vocabulary.

The vocabularies are a snapshot of Faker's (tools/build_vocab.py) for every locale Faker
has person, address, company and phone providers of its own. For each: names, cities,
streets, companies and postal codes are values of that locale's lists (en_US's where the
locale has none of its own), and phone numbers have one of its formats.
"""

from __future__ import annotations

import re

import pyarrow.compute as pc
import pytest

from seedbed.generate import vocab
from seedbed.planning.load import parse_plan
from seedbed.run.options import SeedOptions
from seedbed.run.prepare import plan_for
from seedbed.run.source import Source
from seedbed.schema.ddl import parse_ddl

DDL = """CREATE TABLE person (id int PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL,
  city text NOT NULL, street text NOT NULL, company text NOT NULL, postcode text NOT NULL, phone text NOT NULL);"""
PLAN = {
    "tables": {
        "person": {
            "rows": 300,
            "columns": {
                "first_name": {"fake": "first_name"},
                "last_name": {"fake": "last_name"},
                "city": {"fake": "city"},
                "street": {"fake": "street"},
                "company": {"fake": "company"},
                "postcode": {"fake": "postcode"},
                "phone": {"fake": "phone"},
            },
        }
    }
}
_PLACEHOLDER = {"#": "[0-9]", "%": "[1-9]", "$": "[2-9]"}


def _pattern(fmt: str) -> str:
    return "".join(_PLACEHOLDER.get(ch, re.escape(ch)) for ch in fmt)


def test_every_locale_faker_ships_is_there():
    assert len(vocab.locales()) >= 40
    assert {"en_US", "de_DE", "fr_FR", "ja_JP", "pt_BR", "zh_CN"} <= set(vocab.locales())


@pytest.mark.parametrize("locale", vocab.locales())
def test_values_come_from_the_locale_s_vocabulary(locale):
    src = Source("p", parse_plan(PLAN, "p"), parse_ddl(DDL, "postgres"))
    _, ctx = plan_for(src, SeedOptions(seed=1, locale=locale), check=False)
    batch = ctx.batch("person", 0, 300)
    for column in ("first_name", "last_name", "city", "street", "company", "postcode"):
        values = batch.column(column)
        known = vocab.words(locale, column if column != "street" else "street")
        assert pc.all(pc.is_in(values, value_set=known)).as_py(), (locale, column)
        if vocab.own(locale, column):  # the locale's own list, not en_US's
            assert set(values.to_pylist()) <= set(vocab.own(locale, column))
    formats = vocab.own(locale, "phone_format")
    phones = batch.column("phone").to_pylist()
    if formats:
        pattern = re.compile("|".join(f"(?:{_pattern(f)})" for f in formats))
        assert all(pattern.fullmatch(p) for p in phones), (locale, phones[:3])
        assert len(set(phones)) > 250  # digits drawn per row, not a few fixed numbers
    else:  # no format Faker gives as digits alone: the international form
        assert all(re.fullmatch(r"\+1-\d{3}-\d{3}-\d{4}", p) for p in phones)


def test_the_same_seed_gives_other_values_in_another_locale():
    src = Source("p", parse_plan(PLAN, "p"), parse_ddl(DDL, "postgres"))
    _, a = plan_for(src, SeedOptions(seed=1, locale="ja_JP"), check=False)
    _, b = plan_for(src, SeedOptions(seed=1, locale="pt_BR"), check=False)
    assert a.batch("person", 0, 50).column("last_name") != b.batch("person", 0, 50).column("last_name")
