"""Rendering: one module per generated page family, Markdown keyed by site path."""
