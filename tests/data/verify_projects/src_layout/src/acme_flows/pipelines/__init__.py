"""Pipelines: tasks, workflows and launch plans."""
