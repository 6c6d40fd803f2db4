"""Merchant settlement on the 10th (PROCESSES.md §8, seed 001; ADR 0008)."""
