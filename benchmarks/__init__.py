"""Benchmarks behind ``make bench``: slider moves, notebook run times, backprop against its baselines.

Run ``python -m benchmarks.run`` from the repository root (see run.py).
"""
