"""MkDocs hooks (see ``hooks:`` in mkdocs.yml): thin wiring to :mod:`cellsdocs.mkdocs_adapter`."""

from cellsdocs.mkdocs_adapter import on_config, on_env, on_files, on_page_content, on_page_markdown, on_serve

__all__ = ["on_config", "on_env", "on_files", "on_page_content", "on_page_markdown", "on_serve"]
