"""seedbed's benchmark harness: ``python -m bench`` (see bench/README.md).

It prints figures, it does not assert them: every figure is a ratio of runs made
side by side in the same invocation (or a peak RSS), printed with its target and
PASS/FAIL, so results from a noisy machine stay comparable.
"""
