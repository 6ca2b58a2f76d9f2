"""Verify: run the Flyte 1 original and the converted code with the same inputs and compare."""
