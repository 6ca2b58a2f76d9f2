"""ACME data flows (Flyte 1)."""
