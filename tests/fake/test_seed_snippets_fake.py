"""The seeds' Faker and mimesis snippets, run with only the imports replaced.

Each snippet is kept here as the seed writes it, with ``from faker import`` / ``from mimesis import``
written ``from simulacra.fake import`` and ``mimesis.locales`` / ``mimesis.enums`` written
``simulacra.fake.locales`` / ``simulacra.fake.enums`` (CI may lack /work/shared). When the seeds are
there, each snippet must appear in its seed with the replacement undone. A snippet that is not
valid Python in the seed itself (IPython's ``person??``, an unclosed call, exercise blanks) runs in
its nearest meaningful form, given next to it with the reason.
"""

import glob
import os

import pytest

SEEDS = "/work/shared/seeds"

# (seed file prefix, library, snippet as the seed has it but the imports, form to run or None, why)
SNIPPETS = [
    ("000", "mimesis", "from simulacra.fake import Person, Datetime, Text, Generic\nfrom simulacra.fake.locales import Locale\nfrom simulacra.fake.enums import Gender", None, ""),
    ("000", "mimesis", "person = Person(Locale.EN)\nperson??", "person = Person(Locale.EN)\nperson",
     "`person??` is IPython's 'show the source'; the nearest Python is the object itself"),
    ("000", "mimesis", "person.full_name(gender=Gender.FEMALE)", None, ""),
    ("000", "mimesis", "person.full_name(gender=Gender.MALE)", None, ""),
    ("000", "mimesis", 'person = Person(Locale.UK)\ndatetime = Datetime(Locale.UK)\ntext = Text(Locale.UK)\n\nprint(f"Person: {person.full_name()}; Date-Time: {datetime.date()}; Text: {text.quote()};")', None, ""),
    ("000", "mimesis", "generic = Generic(locale=Locale.EN)\ngeneric.person.username()", None, ""),
    ("000", "mimesis", "generic.datetime.date()", None, ""),
    ("000", "mimesis", "p_en = Person(Locale.EN)\np_sv = Person(Locale.SV)\np_en.full_name(), p_sv.full_name()", None, ""),
    ("000", "mimesis", "g = Generic(locale=Locale.ES)\ng.datetime.month(), g.code.imei(), g.food.fruit()", None, ""),
    ("000", "mimesis", "from simulacra.fake import Fieldset", None, ""),
    ("000", "mimesis", "fs = Fieldset(i=100)", None, ""),
    ("000", "mimesis", "fs('email', key=lambda x: x.split('@')[0].replace('xxxx')",
     "result = fs('email', key=lambda x: x.split('@')[0])\nassert len(result) == 100 and '@' not in result[0]",
     "unclosed in the seed, and str.replace needs two arguments: run the key without the .replace"),
    ("000", "mimesis", "from simulacra.fake import ____\n\nperson = ____()", "from simulacra.fake import Person\n\nperson = Person()",
     "exercise blanks filled with the answer"),
    ("000", "mimesis", "first_name = person.____()", "first_name = person.first_name()", "exercise blank"),
    ("000", "mimesis", "last_name = person.____() ", "last_name = person.last_name()", "exercise blank"),
    ("000", "mimesis", 'full_name = first_name + " " + ______\nprint("Generated name:", ______)',
     'full_name = first_name + " " + last_name\nprint("Generated name:", full_name)', "exercise blanks"),
    ("000", "mimesis", "from simulacra.fake import _____\n\naddress = ______()", "from simulacra.fake import Address\n\naddress = Address()",
     "exercise blanks"),
    ("000", "mimesis", "street = ______.______()", "street = address.street_name()", "exercise blanks"),
    ("000", "mimesis", "city = ______.______() ", "city = address.city()", "exercise blanks"),
    ("000", "mimesis", 'full_address = ______ + ", " + ______ + ", " + address.______()\nprint("Generated address:") \nprint(full_address)',
     'full_address = street + ", " + city + ", " + address.country()\nprint("Generated address:")\nprint(full_address)',
     "exercise blanks"),
    ("002", "faker", r'''from simulacra.fake import Faker

faker = Faker()

name = faker.name()
address = faker.address()
phone_number = faker.phone_number()

print(f"Name: {name}\nAddress: {address}\nPhone Number: {phone_number}")''', None, ""),
    ("003", "faker", '''from simulacra.fake import Faker

fake = Faker()
for _ in range(5):
    print(f"Name: {fake.name()}, Email: {fake.email()}, Address: {fake.address()}")''', None, ""),
]  # fmt: skip


def undo(snippet: str, lib: str) -> str:
    """The snippet as the seed writes it (the import replacement undone)."""
    return (
        snippet.replace("from simulacra.fake import", f"from {lib} import")
        .replace("simulacra.fake.locales", "mimesis.locales")
        .replace("simulacra.fake.enums", "mimesis.enums")
    )


@pytest.mark.skipif(not os.path.isdir(SEEDS), reason="the seeds are not on this machine")
def test_each_snippet_is_in_its_seed():
    for prefix, lib, snippet, _, _ in SNIPPETS:
        (path,) = glob.glob(os.path.join(SEEDS, f"{prefix}_*.txt"))
        with open(path, encoding="utf-8") as f:
            assert undo(snippet, lib) in f.read(), snippet


def test_only_imports_differ():
    for _, lib, snippet, _, _ in SNIPPETS:
        assert "faker" not in snippet.replace("faker = Faker()", "").replace("faker.", "") or lib == "faker"
        assert "mimesis" not in snippet


@pytest.mark.parametrize("prefix", sorted({s[0] for s in SNIPPETS}))
def test_snippets_run(prefix, capsys):
    ns: dict = {}
    for p, _, snippet, runnable, why in SNIPPETS:
        if p != prefix:
            continue
        assert runnable is None or why, snippet  # a changed form says why
        exec(compile(runnable or snippet, f"<seed {prefix}>", "exec"), ns)
    out = capsys.readouterr().out
    if prefix == "000":
        assert "Person: " in out and "Generated name: " in out and "Generated address:" in out
        assert ns["g"].food.fruit() and len(ns["result"]) == 100
    if prefix == "002":
        assert "\n" in ns["address"] and out.startswith("Name: ")
    if prefix == "003":
        assert out.count("Name: ") == 5 and out.count("@") == 5
