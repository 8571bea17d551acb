"""``python -m workbench``: the ``workbench`` command (used by ``workbench run`` for its children)."""
import sys

from workbench.cli import main

sys.exit(main())
