"""Person-name columns: found from the column name (any case convention) and from the values.

A column is a person's first name, last name or full name when

- its name says so in any convention (``nameFirst``, ``firstName``, ``first_name``, ``FirstName``,
  ``fname``, ``given_name``, ``surname``, ``family_name``, ``lastName``, ``lname``, ``middle_name``,
  ``full_name``...: the name is split into words at camelCase, snake_case, kebab-case and space
  boundaries) and its values are words of letters, some of them known names; or
- its name is neutral (no word such as product, company, team, city, species, file, host...) and
  the values themselves are names: the share of the distinct values found in the first-name or
  last-name lists of Faker's locales (all of them), first and last names counted separately.

The name lists are read once, on first use, into two sets; values are looked up with pandas
lookups (``Index.get_indexer``) of the distinct values of a sample of the column.
"""

from __future__ import annotations

import re

import pandas as pd

#: words of a column name that make it a first name, a last name or a full name
_FIRST = {
    "fname",
    "firstname",
    "firstnames",
    "forename",
    "forenames",
    "givenname",
    "givennames",
    "mname",
    "middlename",
    "vorname",
    "prenom",
    "voornaam",
    "fornavn",
}
_LAST = {
    "lname",
    "lastname",
    "surname",
    "surnames",
    "familyname",
    "maidenname",
    "nachname",
    "apellido",
    "apellidos",
    "cognome",
    "sobrenome",
    "achternaam",
    "efternavn",
    "etternavn",
    "efternamn",
}
_FULL = {"fullname", "personname"}
_FIRST_QUALIFIERS = {"first", "given", "fore", "middle", "christian"}
_LAST_QUALIFIERS = {"last", "family", "sur", "maiden"}
#: words of a column name that hint at people (values still decide)
_PERSON = {
    "person",
    "people",
    "customer",
    "client",
    "patient",
    "employee",
    "contact",
    "author",
    "owner",
    "guest",
    "passenger",
    "member",
    "student",
    "player",
    "driver",
    "applicant",
    "candidate",
    "recipient",
    "sender",
    "buyer",
    "seller",
    "beneficiary",
    "cardholder",
    "holder",
    "spouse",
    "who",
}
#: words that make a "name" column something other than a person's name
_NOT_PERSON = {
    "product",
    "products",
    "company",
    "companies",
    "team",
    "teams",
    "file",
    "host",
    "domain",
    "brand",
    "item",
    "street",
    "city",
    "town",
    "country",
    "state",
    "county",
    "region",
    "province",
    "species",
    "island",
    "model",
    "business",
    "org",
    "organization",
    "organisation",
    "dataset",
    "table",
    "column",
    "field",
    "server",
    "app",
    "application",
    "project",
    "place",
    "location",
    "store",
    "shop",
    "school",
    "university",
    "college",
    "hospital",
    "venue",
    "event",
    "course",
    "category",
    "department",
    "dept",
    "group",
    "type",
    "class",
    "color",
    "colour",
    "pet",
    "animal",
    "breed",
    "ship",
    "vessel",
    "song",
    "album",
    "movie",
    "film",
    "book",
    "title",
    "display",
    "screen",
    "user",
    "login",
    "nick",
    "nickname",
    "code",
    "tag",
    "label",
    "font",
    "package",
    "module",
    "function",
    "variable",
    "feature",
    "bank",
    "airport",
    "airline",
    "carrier",
    "station",
    "stadium",
    "park",
    "building",
    "road",
    "game",
    "drug",
    "disease",
    "gene",
    "protein",
    "chemical",
    "compound",
    "plant",
    "tree",
    "flower",
    "planet",
    "currency",
    "language",
    "tool",
    "branch",
    "site",
    "host",
    "device",
    "machine",
    "account",
    "job",
    "role",
    "position",
    "office",
    "unit",
    "area",
    "district",
    "neighborhood",
    "neighbourhood",
    "village",
    "zone",
    "market",
    "service",
    "plan",
    "policy",
    "vendor",
    "supplier",
    "manufacturer",
    "make",
    "merchant",
    "brewery",
    "restaurant",
    "hotel",
    "club",
    "league",
    "division",
    "path",
    "address",
    "addr",
    "email",
    "mail",
    "phone",
    "url",
    "web",
    "website",
    "ip",
    "postcode",
    "zip",
    "sheet",
    "document",
    "image",
    "recipe",
    "dish",
    "ingredient",
}
_LETTERS = r"^[^\W\d_]+(?:(?:[ '\-.]|, )[^\W\d_]+)*\.?$"  # words of letters, joined by space, ' - . or ", "
_CAP_WORD = r"[A-ZÀ-ÖØ-Þ][^\W\d_]*(?:['\-.][^\W\d_]*)*"
_FULL_SHAPE = rf"^{_CAP_WORD},?(?: {_CAP_WORD}){{1,3}}$"  # "Ada Lovelace", "Lovelace, A."

_LISTS: tuple[pd.Index, pd.Index] | None = None


def name_words(name) -> list[str]:
    """Lower-case words of a column name, split at camelCase, snake_case, kebab-case, dots and spaces."""
    s = str(name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", s)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", s)
    return [w for w in re.split(r"[^0-9a-zA-Z]+|(?<=[a-zA-Z])(?=\d)|(?<=\d)(?=[a-zA-Z])", s.lower()) if w]


def name_lists() -> tuple[pd.Index, pd.Index]:
    """(first names, last names) of all Faker locales with person data, lower-cased, as unique indexes; built once.

    An index keeps its hash table after the first lookup, so each column's lookup costs only its own values.
    """
    global _LISTS
    if _LISTS is None:
        import importlib

        from faker.config import AVAILABLE_LOCALES

        first: set[str] = set()
        last: set[str] = set()
        for loc in AVAILABLE_LOCALES:
            try:
                prov = importlib.import_module(f"faker.providers.person.{loc}").Provider
            except (ImportError, AttributeError):  # pragma: no cover - depends on Faker version
                continue
            for attrs, out in (
                (("first_names", "first_names_male", "first_names_female", "first_names_nonbinary"), first),
                (("last_names", "last_names_male", "last_names_female"), last),
            ):
                for a in attrs:
                    src = getattr(prov, a, ())
                    if isinstance(src, (dict, list, tuple, set, frozenset)):
                        out.update(str(x).lower() for x in src)
        _LISTS = (pd.Index(sorted(first), dtype=object), pd.Index(sorted(last), dtype=object))
    return _LISTS


def name_role(name) -> str | None:
    """What a column name says: 'first_name', 'last_name', 'name' (a person's name), 'generic' (just "name") or None."""
    words = name_words(name)
    ws = set(words)
    joined = "".join(words)
    if joined in {"filename", "hostname", "username", "nickname", "pathname", "typename"}:
        return None
    if ws & _FIRST or joined in _FIRST or ("name" in ws and ws & _FIRST_QUALIFIERS):
        return "first_name"
    if ws & _LAST or joined in _LAST or ("name" in ws and ws & _LAST_QUALIFIERS):
        return "last_name"
    if ws & _NOT_PERSON:
        return None
    if ws & _FULL or joined in _FULL or ("name" in ws and "full" in ws):
        return "name"
    if ws & {"name", "names"} or ws & _PERSON:
        return "generic"
    return None


def known_shares(values: pd.Series) -> tuple[float, float, float]:
    """Shares of the distinct (lower-cased) values found in the first-name list, in the last-name list, and whose first word is a known name.

    The first word is looked up in the first names, or in the last names when it ends with a comma
    ("Lovelace, Ada").
    """
    first, last = name_lists()
    u = pd.Series(values.dropna().astype(str).str.strip().str.lower().unique())
    if u.empty:
        return 0.0, 0.0, 0.0
    head = u.str.split(n=1).str[0]
    comma = head.str.endswith(",").to_numpy()
    head = head.str.rstrip(".,")
    known = first.get_indexer(head) >= 0
    known[comma] = last.get_indexer(head[comma]) >= 0
    return float((first.get_indexer(u) >= 0).mean()), float((last.get_indexer(u) >= 0).mean()), float(known.mean())


def person_name_sdtype(name, sample: pd.Series) -> str | None:
    """'first_name', 'last_name' or 'name' when column ``name`` with the text values ``sample`` holds person names, else None."""
    role = name_role(name)
    if role is None and set(name_words(name)) & _NOT_PERSON:
        return None
    sample = sample.dropna().astype(str).str.strip()
    sample = sample[sample != ""]
    if len(sample) == 0 or sample.str.match(_LETTERS).mean() < 0.9:
        return None
    multi = float((sample.str.split().str.len() >= 2).mean())
    # full names: two to four capitalised words
    shaped = multi >= 0.8 and sample.str.match(_FULL_SHAPE).mean() >= 0.8
    if role is None and not shaped and (multi >= 0.5 or sample.nunique() < 20):
        return None  # few distinct values or phrases, and nothing in the header: not names
    first, last, head = known_shares(sample)
    if role in ("first_name", "last_name"):
        if max(first, last, head) < 0.1:
            return None
        if role == "first_name" and multi >= 0.5 and head >= 0.3:
            return "name"  # given names ("David Allan"): a first name with middle names
        return role
    if shaped and (head >= 0.5 or (role is not None and head >= 0.3)):
        return "name"  # the first word mostly a known first name
    if role == "name":
        return "name" if max(first, last, head) >= 0.1 else None
    if multi >= 0.5:
        return None
    if role == "generic":  # a "name" column of single words: the values decide which kind
        if first >= 0.4 and first >= last:
            return "first_name"
        return "last_name" if last >= 0.3 else None
    # no name in the header: many distinct values, mostly names
    if first >= 0.6 and first >= last + 0.2:
        return "first_name"
    if last >= 0.5 and last >= first + 0.1:
        return "last_name"
    return None
