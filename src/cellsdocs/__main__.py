from __future__ import annotations

import sys

from cellsdocs.cli.main import main

sys.exit(main())
