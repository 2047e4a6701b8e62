"""``python -m templateocr``: the command line."""

from templateocr.cli import main

raise SystemExit(main())
