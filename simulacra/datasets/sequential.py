"""A sequential demo made here: patients and their visits (``download_demo(modality="sequential")``).

``fake_patient_visits``: 2 to 10 visits a patient at irregular whole-day gaps; the sex and birth
year are constant per patient (context columns); a lab value drifts along each patient's own trend
and is missing more often when no treatment was given (informative missingness). Made by code
(seeded), not shipped as a file, so it carries no data license.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEQUENTIAL_DEMOS = ("fake_patient_visits",)


def make_patient_visits(num_patients: int = 500, seed: int = 0) -> pd.DataFrame:
    """Visits of ``num_patients`` patients (columns patient_id, sex, birth_year, visit_date, treatment, lab)."""
    rng = np.random.default_rng(seed)
    n = int(num_patients)
    sex = rng.choice(["F", "M"], n)
    born = rng.integers(1940, 2000, n)
    length = rng.integers(2, 11, n)
    rows = int(length.sum())
    pid = np.repeat(np.array([f"P{i:05d}" for i in range(n)], dtype=object), length)
    first = np.cumsum(length) - length
    pos = np.arange(rows) - np.repeat(first, length)
    start = np.datetime64("2020-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
    gaps = rng.integers(1, 60, rows)
    gaps[pos == 0] = 0
    day = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first], length)
    visit = np.repeat(start, length) + day.astype("timedelta64[D]")
    slope = np.repeat(rng.normal(0, 2, n), length)
    base = np.repeat(rng.normal(100, 15, n), length)
    lab = np.round(base + slope * pos + rng.normal(0, 1, rows), 1)
    treat = rng.choice(["none", "drug_a", "drug_b"], rows, p=[0.5, 0.3, 0.2])
    lab[(treat == "none") & (rng.random(rows) < 0.4)] = np.nan
    return pd.DataFrame(
        {
            "patient_id": pid,
            "sex": np.repeat(sex, length).astype(object),
            "birth_year": np.repeat(born, length),
            "visit_date": pd.to_datetime(visit).astype("datetime64[ns]"),
            "treatment": treat.astype(object),
            "lab": lab,
        }
    )


def patient_metadata():
    """The demo's metadata: sequence key patient_id, sequence index visit_date."""
    from ..metadata import Metadata

    return Metadata.load_from_dict(
        {
            "METADATA_SPEC_VERSION": "V1",
            "tables": {
                "fake_patient_visits": {
                    "columns": {
                        "patient_id": {"sdtype": "id", "regex_format": "P[0-9]{5}"},
                        "sex": {"sdtype": "categorical"},
                        "birth_year": {"sdtype": "numerical", "computer_representation": "Int64"},
                        "visit_date": {"sdtype": "datetime"},
                        "treatment": {"sdtype": "categorical"},
                        "lab": {"sdtype": "numerical", "computer_representation": "Float"},
                    },
                    "sequence_key": "patient_id",
                    "sequence_index": "visit_date",
                }
            },
        }
    )


def load_sequential_demo(name: str):
    from ..errors import ParameterError

    if name not in SEQUENTIAL_DEMOS:
        raise ParameterError(f"unknown sequential demo {name!r}; available: {', '.join(SEQUENTIAL_DEMOS)}")
    return make_patient_visits(), patient_metadata()
