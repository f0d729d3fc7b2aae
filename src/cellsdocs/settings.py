"""Where the sources of truth are: in-repo defaults, each overridable by an environment variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ENV_VARS", "SourcePaths", "repo_root"]

#: environment variable -> (attribute, default path relative to the repository root, what it is)
ENV_VARS: dict[str, tuple[str, str, str]] = {
    "CELLS_PROTO_ROOT": ("proto_root", "sources/topology-service/proto", "import root of the .proto tree"),
    "CELLS_TOPOLOGY_CONFIG": ("topology_config", "sources/topology-service/config.toml", "cell inventory"),
    "CELLS_ROUTER_RULES": ("router_rules", "sources/http-router/rules", "folder of rule set JSON files"),
    "CELLS_ALERT_RULES": ("alert_rules", "sources/alerts", "folder of Prometheus rule files"),
    "CELLS_ADR_DIR": ("adr_dir", "adr", "folder of Architecture Decision Records"),
    "CELLS_RUNBOOK_DIR": ("runbook_dir", "runbooks", "folder of runbooks, one subfolder per service"),
}


def repo_root() -> Path:
    """The repository this package is checked out in (the folder holding ``mkdocs.yml``)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "mkdocs.yml").is_file():
            return parent
    return Path.cwd()


@dataclass(frozen=True, kw_only=True)
class SourcePaths:
    """Absolute locations of every source kind, and the repository root they default under."""

    root: Path
    proto_root: Path
    topology_config: Path
    router_rules: Path
    alert_rules: Path
    adr_dir: Path
    runbook_dir: Path

    @classmethod
    def from_env(cls, root: Path | None = None, environ: Mapping[str, str] | None = None) -> SourcePaths:
        """Resolve each location from its ``CELLS_*`` variable, else the in-repo default under *root*."""
        root = (root or repo_root()).resolve()
        env = os.environ if environ is None else environ
        values: dict[str, Path] = {}
        for var, (attr, default, _what) in ENV_VARS.items():
            raw = env.get(var, "").strip()
            path = Path(raw).expanduser() if raw else Path(default)
            values[attr] = path if path.is_absolute() else (root / path)
        return cls(root=root, **values)

    def watched(self) -> list[Path]:
        """Every location, for live reload."""
        return [
            self.proto_root,
            self.topology_config,
            self.router_rules,
            self.alert_rules,
            self.adr_dir,
            self.runbook_dir,
        ]
