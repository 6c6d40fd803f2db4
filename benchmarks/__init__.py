"""Benchmarks: `make bench`. Each prints its figures beside a raw baseline on this machine."""
