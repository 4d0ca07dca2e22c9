"""Seeding the demo quietly: what the seed sets off writes its log lines at INFO — every text message
of the escalations (the logging SMS sender), WeasyPrint's progress through each PDF (and fontTools'
font subsetting), Celery's line for each task run inline — and kombu warns once that no broker host
is set (there is none: tasks run inline). ``quiet_logs`` holds those back for the duration of the
seed; warnings and errors of our own still show. ``shouhu seed-demo -v 2`` shows everything."""

from __future__ import annotations

import contextlib
import logging

# Warnings that say nothing to someone seeding the demo: kombu's "No hostname was supplied" when tasks
# run inline without a broker.
MUTED = ("kombu.connection",)


@contextlib.contextmanager
def quiet_logs():
    previous = logging.root.manager.disable
    muted = {name: logging.getLogger(name).level for name in MUTED}
    logging.disable(logging.INFO)
    for name in MUTED:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        yield
    finally:
        logging.disable(previous)
        for name, level in muted.items():
            logging.getLogger(name).setLevel(level)
