"""`python -m bench`: the whole benchmark; `--help` lists the options."""

import sys

from bench.run import main

sys.exit(main())
