"""Each hot query's median execution time over 5 runs (EXPLAIN ANALYZE), and with --plans its
plan, against the database DATABASE_URL names (filled by `python -m tests.perf.corpus N`):

    DATABASE_URL=postgres://... .venv/bin/python -m tests.perf.measure [--plans]
"""

import sys

import django

if __name__ == "__main__":
    django.setup()
    from tests.perf.hot_queries import main

    main("--plans" in sys.argv)
