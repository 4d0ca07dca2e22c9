"""Settings of the server ``tests/bench/load.py`` starts: the production settings (``shouhu.settings``),
plus two framework-floor endpoints (``tests/bench/load_urls.py``)."""

from shouhu.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.load_urls"
