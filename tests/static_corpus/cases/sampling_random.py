"""Non-security uses of random: sampling, jitter, shuffling test data."""
import random
import time


def backoff(attempt):
    time.sleep(min(30, 2 ** attempt) + random.uniform(0, 1))  # label: safe CWE-338


def sample_rows(rows, k=100):
    return random.sample(rows, min(k, len(rows)))  # label: safe CWE-338


def shuffled(deck):
    cards = list(deck)
    random.shuffle(cards)  # label: safe CWE-338
    return cards
