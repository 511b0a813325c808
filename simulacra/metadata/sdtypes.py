"""The semantic data types (sdtypes) a column can have, with SDV's names."""

BASIC_SDTYPES = ("numerical", "categorical", "boolean", "datetime", "id", "text", "unknown")

#: PII sdtypes: never learned from the real data; filled with fake values of the same kind.
PII_SDTYPES = (
    "email",
    "phone_number",
    "first_name",
    "last_name",
    "name",
    "address",
    "street_address",
    "city",
    "state",
    "country",
    "postcode",
    "credit_card_number",
    "ipv4_address",
    "ipv6_address",
    "iban",
    "ssn",
    "company",
    "job",
    "url",
    "user_name",
    "license_plate",
)

#: Accepted alternative spellings, mapped to the canonical name.
SDTYPE_ALIASES = {
    "ipv4": "ipv4_address",
    "ipv6": "ipv6_address",
    "phone": "phone_number",
    "zipcode": "postcode",
    "zip_code": "postcode",
    "postal_code": "postcode",
    "credit_card": "credit_card_number",
    "username": "user_name",
    "numeric": "numerical",
    "number": "numerical",
    "category": "categorical",
    "bool": "boolean",
    "date": "datetime",
    "free_text": "text",
    "ordinal": "categorical",
}

ALL_SDTYPES = BASIC_SDTYPES + PII_SDTYPES

#: computer_representation values accepted for numerical columns (SDV's names).
NUMERICAL_REPRESENTATIONS = (
    "Float",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
)


def canonical_sdtype(sdtype: str) -> str:
    """Return the canonical name of ``sdtype`` (aliases resolved), or raise MetadataError."""
    from ..errors import MetadataError

    if not isinstance(sdtype, str):
        raise MetadataError(f"sdtype must be a string, got {sdtype!r}")
    key = sdtype.strip().lower()
    key = SDTYPE_ALIASES.get(key, key)
    if key not in ALL_SDTYPES:
        raise MetadataError(f"unknown sdtype {sdtype!r}; valid sdtypes are: {', '.join(ALL_SDTYPES)}")
    return key


def is_pii(sdtype: str, column_meta: dict | None = None) -> bool:
    """True when a column of this sdtype is replaced by fake values instead of learned."""
    if column_meta is not None and "pii" in column_meta:
        return bool(column_meta["pii"]) and sdtype not in ("id",)
    return sdtype in PII_SDTYPES
