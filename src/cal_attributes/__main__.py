"""``python -m cal_attributes``: the cal-attributes command."""

from cal_attributes.cli import main

raise SystemExit(main())
