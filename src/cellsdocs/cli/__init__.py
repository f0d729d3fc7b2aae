"""The ``cells-docs`` command line."""
