"""Abuse protection: call budgets, sign-in throttles and their shared state."""
