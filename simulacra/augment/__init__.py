"""Augmentation: bootstrap resampling and oversampling of imbalanced classes."""

from .bootstrap import BootstrapResult, ConfidenceInterval, bootstrap, resample
from .image import ImageAugmenter
from .noise import add_noise, gaussian_mechanism, generalize, laplace_mechanism, shuffle_columns, swap_categories
from .oversampling import ADASYN, SMOTE, SMOTENC, BorderlineSMOTE, RandomOverSampler


def balance(df, target: str, method: str = "smote", seed=None, **kwargs):
    """Oversample ``df`` so that every class of ``target`` has as many rows as the largest.

    ``method``: 'smote' (SMOTENC when there are non-numeric columns), 'random', 'adasyn',
    'borderline', or the name of a simulacra synthesizer ('cart', 'gaussian_copula', ...), which
    is fitted on ``df`` and sampled conditioned on each minority class.
    """
    import pandas as pd

    from ..errors import ParameterError

    if target not in df.columns:
        raise ParameterError(f"no column named {target!r}")
    X, y = df.drop(columns=[target]), df[target]
    samplers = {"random": RandomOverSampler, "adasyn": ADASYN, "borderline": BorderlineSMOTE}
    if method == "smote":
        non_numeric = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c].dtype)]
        sampler = (
            SMOTENC(categorical_features=non_numeric, random_state=seed, **kwargs)
            if non_numeric
            else SMOTE(random_state=seed, **kwargs)
        )
    elif method in samplers:
        sampler = samplers[method](random_state=seed, **kwargs)
    else:
        from ..metadata import Metadata
        from ..synthesizers import get_synthesizer_class
        from ..sampling import Condition

        klass = get_synthesizer_class(method)
        synth = klass(Metadata.detect_from_dataframe(df), **kwargs).fit(df)
        counts = y.value_counts()
        conds = [Condition({target: cls}, int(counts.max() - n)) for cls, n in counts.items() if n < counts.max()]
        extra = synth.sample_from_conditions(conds, seed=seed) if conds else df.iloc[:0]
        return pd.concat([df, extra[df.columns]], ignore_index=True)
    Xr, yr = sampler.fit_resample(X, y)
    out = Xr.copy()
    out[target] = yr
    return out[df.columns]


__all__ = [
    "ImageAugmenter",
    "add_noise",
    "swap_categories",
    "shuffle_columns",
    "generalize",
    "laplace_mechanism",
    "gaussian_mechanism",
    "bootstrap",
    "resample",
    "BootstrapResult",
    "ConfidenceInterval",
    "SMOTE",
    "SMOTENC",
    "BorderlineSMOTE",
    "ADASYN",
    "RandomOverSampler",
    "balance",
]
