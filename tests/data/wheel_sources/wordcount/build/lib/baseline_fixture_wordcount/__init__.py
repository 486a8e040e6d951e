"""Counts words: the dependency of the fid_local_wheel fixture, never published anywhere."""


def count(text: str) -> int:
    return len(text.split())
