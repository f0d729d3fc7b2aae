"""Questions answered from the models: which cell serves a request, what a rule change does, and
where the next cell goes."""
