"""Data shipped with simulacra's fake-data engine (lists Faker lacks), written by the simulacra authors."""
