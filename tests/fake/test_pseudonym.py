import pandas as pd
import pytest

from simulacra import GaussianCopulaSynthesizer, Metadata
from simulacra.errors import ParameterError
from simulacra.fake.pseudonym import pseudonymize, pseudonymize_table


def test_same_value_same_pseudonym_across_tables():
    key = "a-secret-key"
    t1 = pd.DataFrame({"email": ["ann@corp.example", "bob@corp.example", "ann@corp.example"], "x": [1, 2, 3]})
    t2 = pd.DataFrame({"email": ["cat@corp.example", "ann@corp.example"], "y": [5, 6]})
    p1, _ = pseudonymize_table(t1, key=key, columns={"email": "email"})
    p2, _ = pseudonymize_table(t2, key=key, columns={"email": "email"})
    assert p1["email"][0] == p1["email"][2] == p2["email"][1]
    assert p1["email"][0] != p1["email"][1]
    assert not set(p1["email"]) & set(t1["email"])
    joined = p1.merge(p2, on="email")
    assert len(joined) == 2  # the join survives
    other, _ = pseudonymize_table(t1, key="another-key", columns={"email": "email"})
    assert other["email"][0] != p1["email"][0]


def test_many_values_rarely_collide():
    vals = pd.Series([f"person{i}@corp.example" for i in range(5000)])
    p = pseudonymize(vals, "email", "k" * 16)
    assert p.nunique() > 4900
    with pytest.raises(ParameterError, match="at least 8"):
        pseudonymize(vals, "email", "short")


def test_synthesizer_pseudonymize():
    df = pd.DataFrame({"email": [f"user{i % 40}@corp.example" for i in range(400)], "v": range(400)})
    md = Metadata.detect_from_dataframe(df)
    assert md.columns["email"]["sdtype"] == "email"
    s = GaussianCopulaSynthesizer(md, pseudonymize=True, pseudonymize_key="my-secret-key").fit(df)
    syn = s.sample(2000, seed=0)
    assert syn["email"].nunique() <= 40
    assert not set(syn["email"]) & set(df["email"])
    expected = set(pseudonymize(df["email"], "email", "my-secret-key"))
    assert set(syn["email"]) <= expected
    assert "my-secret-key" not in str(s.get_parameters())
