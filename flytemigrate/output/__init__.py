"""Renderers of diagnostics and summaries: text (rich, for people), json, github, sarif."""
