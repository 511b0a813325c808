"""PII detected from values whatever the dtype: credit-card numbers read back from CSV as integers."""

import io

import numpy as np
import pandas as pd

from simulacra.metadata.detection import detect_table


def _luhn(body: str) -> str:
    digits = [int(c) for c in body][::-1]
    total = sum((d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 0 else d for i, d in enumerate(digits))
    return body + str((10 - total % 10) % 10)


def _roundtrip(df):
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    buf.seek(0)
    return pd.read_csv(buf)


def test_integer_credit_cards_from_csv_are_pii():
    rng = np.random.default_rng(0)
    cards = [_luhn("4" + "".join(map(str, rng.integers(0, 10, 14)))) for _ in range(300)]
    df = _roundtrip(pd.DataFrame({"card": cards, "amount": rng.integers(1, 500, 300)}))
    assert df["card"].dtype.kind == "i"
    cols, _ = detect_table(df)
    assert cols["card"]["sdtype"] == "credit_card_number"
    assert cols["amount"]["sdtype"] == "numerical"


def test_large_integers_failing_luhn_stay_numerical():
    rng = np.random.default_rng(1)
    vals = rng.integers(10**14, 10**15, 300)
    vals = vals - (vals % 10) + np.where(vals % 10 == 0, 1, 0)  # not a Luhn pattern for most rows
    cols, _ = detect_table(pd.DataFrame({"big": vals}))
    assert cols["big"]["sdtype"] != "credit_card_number"
