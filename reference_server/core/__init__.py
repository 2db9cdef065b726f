"""The generic core of the reference server (see README)."""
