"""The ``fake_hotel_guests`` demo table, made by simulacra's own fake engine (no real person in it).

A hotel's guests like SDV's demo of that name: ``guest_email`` (unique, the primary key),
``has_rewards``, ``room_type``, ``amenities_fee`` (missing for some guests), ``checkin_date`` and
``checkout_date`` as text dates (``'%d %b %Y'``; checkout after checkin, some checkouts missing),
``room_rate`` (by room type), ``billing_address`` and ``credit_card_number`` (PII).

The shipped CSV (``data/fake_hotel_guests.csv``) and its metadata were written by
:func:`write_fake_hotel_guests`; run ``python -m simulacra.datasets.hotel`` to write them again.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

#: the datetime format of the two date columns (as text in the CSV)
DATE_FORMAT = "%d %b %Y"

#: the metadata (SDV's single-table spec) of the demo table
METADATA = {
    "METADATA_SPEC_VERSION": "V1",
    "tables": {
        "fake_hotel_guests": {
            "primary_key": "guest_email",
            "columns": {
                "guest_email": {"sdtype": "email", "pii": True},
                "has_rewards": {"sdtype": "boolean"},
                "room_type": {"sdtype": "categorical"},
                "amenities_fee": {"sdtype": "numerical", "computer_representation": "Float"},
                "checkin_date": {"sdtype": "datetime", "datetime_format": DATE_FORMAT},
                "checkout_date": {"sdtype": "datetime", "datetime_format": DATE_FORMAT},
                "room_rate": {"sdtype": "numerical", "computer_representation": "Float"},
                "billing_address": {"sdtype": "address", "pii": True},
                "credit_card_number": {"sdtype": "credit_card_number", "pii": True},
            },
        }
    },
    "relationships": [],
}

_ROOMS = np.array(["BASIC", "DELUXE", "SUITE"])
_ROOM_P = [0.62, 0.28, 0.10]
_RATE = {"BASIC": (105.0, 18.0), "DELUXE": (190.0, 25.0), "SUITE": (320.0, 40.0)}


def _unique_emails(fake, n: int) -> np.ndarray:
    """``n`` distinct e-mails from the fake engine (drawn in rounds until enough are distinct)."""
    seen: list[str] = []
    pool: set[str] = set()
    while len(seen) < n:
        for e in fake.internet.email(n=2 * n).tolist():
            if e not in pool:
                pool.add(e)
                seen.append(e)
    return np.array(seen[:n], dtype=object)


def make_fake_hotel_guests(num_rows: int = 500, seed: int = 20_231_202) -> pd.DataFrame:
    """The demo table: ``num_rows`` fake hotel guests, the same for the same ``seed``.

    Parameters
    ----------
    num_rows : int, default 500
        Rows (guests).
    seed : int
        Seeds both the fake engine (PII columns) and the numbers.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`METADATA`, dates as text in :data:`DATE_FORMAT`.
    """
    from ..fake import Fake

    fake = Fake(locale="en_US", seed=seed)
    rng = np.random.default_rng(seed)
    n = int(num_rows)
    room = rng.choice(_ROOMS, size=n, p=_ROOM_P)
    mean = np.array([_RATE[r][0] for r in room])
    sd = np.array([_RATE[r][1] for r in room])
    has_rewards = rng.random(n) < 0.12
    rate = np.round(np.clip(rng.normal(mean, sd), 60, None) * np.where(has_rewards, 0.9, 1.0), 2)
    fee = np.round(rng.gamma(2.0, 12.0, n) * np.where(room == "SUITE", 1.6, 1.0), 2)
    fee[has_rewards & (rng.random(n) < 0.7)] = 0.0  # rewards members rarely pay amenities
    fee[rng.random(n) < 0.08] = np.nan
    days = rng.integers(0, 365, n)
    checkin = pd.Timestamp("2020-01-01") + pd.to_timedelta(days, unit="D")
    nights = 1 + rng.geometric(0.35, n)
    checkout = checkin + pd.to_timedelta(np.minimum(nights, 21), unit="D")
    checkout_text = pd.Series(checkout.strftime(DATE_FORMAT), dtype=object)
    checkout_text[rng.random(n) < 0.05] = np.nan  # stays with no checkout recorded yet
    return pd.DataFrame(
        {
            "guest_email": _unique_emails(fake, n),
            "has_rewards": has_rewards,
            "room_type": room,
            "amenities_fee": fee,
            "checkin_date": pd.Series(checkin.strftime(DATE_FORMAT), dtype=object),
            "checkout_date": checkout_text,
            "room_rate": rate,
            "billing_address": fake.address.address(n=n).astype(object).to_numpy(),
            "credit_card_number": fake.finance.credit_card_number(n=n).astype("int64").to_numpy(),
        }
    )


def write_fake_hotel_guests(folder=None, num_rows: int = 500, seed: int = 20_231_202) -> Path:
    """Write the demo CSV and its metadata JSON into ``folder`` (default: the package's ``data``).

    Returns
    -------
    pathlib.Path
        The CSV's path.
    """
    folder = Path(folder) if folder is not None else Path(__file__).with_name("data")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fake_hotel_guests.csv"
    make_fake_hotel_guests(num_rows, seed).to_csv(path, index=False)
    (folder / "fake_hotel_guests.metadata.json").write_text(json.dumps(METADATA, indent=2) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":  # pragma: no cover - regenerates the shipped files
    print(write_fake_hotel_guests())
