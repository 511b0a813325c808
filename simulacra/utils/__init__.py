"""Small shared helpers at the bottom of the layers (above ``errors`` and ``_random`` only).

- ``validation``: checks of user arguments (integers, booleans, shares) with one wording;
- ``values``: plain-value coercion shared by transforms, constraints and evaluation;
- ``regex``: the regex-shaped id space (parse, count, infer, generate unique values);
- ``progress``: the one progress bar;
- ``stats``: statistics shared by models and evaluation (pairwise-complete correlation);
- ``dtypes``: dtype-name checks shared by transforms' and constraints' saved states.

Nothing here imports another simulacra package except ``errors`` and ``_random``.
"""
