"""``python -m workbench``: the ``workbench`` command.

``workbench run`` starts its children (server, worker) this way.
"""
import sys

from workbench.cli import main

sys.exit(main())
