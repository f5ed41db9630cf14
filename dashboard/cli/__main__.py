"""`python -m dashboard.cli` = the `dashboard` command."""

import sys

from dashboard.cli import main

sys.exit(main())
