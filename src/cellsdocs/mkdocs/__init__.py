"""The MkDocs side of the site: the ``cells`` plugin, the navigation it fills in, and the guarded
places where it meets third-party internals."""
