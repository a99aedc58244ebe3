"""Column names that hold personal data, by kind: what inference fills with people's
names, emails and addresses, and what ``seedbed mask`` replaces.

One table serves both, so a column the seeder would fill with an email is the column
masking treats as one.
"""

from __future__ import annotations

import re

# kind -> name pattern (lower-cased column name), in the order they are tried
PATTERNS: dict[str, str] = {
    "email": r"(^|_)e?mail(_address)?$",
    "first_name": r"(^|_)first_?name$|^fname$|^given_?name$",
    "last_name": r"(^|_)(last_?name|surname|family_?name)$|^lname$",
    "full_name": r"(^|_)(full_?name|display_name|contact_name)$",
    "username": r"(^|_)user_?name$|^login$|^handle$",
    "phone": r"(^|_)(phone|phone_number|mobile|fax|telephone|tel)$",
    "street_address": r"(^|_)(address|street|address_line_?1|address1|street_address)$",
    "secondary_address": r"(^|_)(address_line_?2|address2)$",
    "postcode": r"(^|_)(postal_?code|zip(_?code)?|postcode)$",
}

# a bare ``name`` is a person's on tables of people, an organisation's on tables of
# organisations (either may identify someone); elsewhere (products, tags) it is not personal
PEOPLE = r"^(users?|customers?|clients?|people|persons?|employees?|staff|members?|contacts?|patients?|"
PEOPLE += r"students?|teachers?|authors?|profiles?|accounts?|guests?|passengers?|applicants?|candidates?|"
PEOPLE += r"subscribers?|owners?|drivers?|agents?|leads?|recipients?|donors?|volunteers?|tenants?|residents?)$"
ORGANISATIONS = r"^(vendors?|suppliers?|companies|company|organi[sz]ations?|businesses|business|merchants?|partners?)$"


def kind_of(table: str, column: str) -> str | None:
    """The personal-data kind of ``table.column`` by its name (None: not personal)."""
    name = column.lower()
    for kind, pattern in PATTERNS.items():
        if re.search(pattern, name):
            return kind
    if name == "name":
        bare = table.lower().split(".")[-1]
        if re.match(PEOPLE, bare):
            return "full_name"
        if re.match(ORGANISATIONS, bare):
            return "company"
    return None
