"""Loading: one loader per source kind (protos, topology, routing, alerts, ADRs, runbooks) into
typed models, and where the sources come from (manifest, lock, fetching)."""
