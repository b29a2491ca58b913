"""`python -m backend_pair`: the same as the `backend-pair` command."""

import sys

from backend_pair.cli import main

sys.exit(main())
