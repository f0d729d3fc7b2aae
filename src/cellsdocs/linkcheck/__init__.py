"""Link checking of a built site with ``linkchecker``."""
