"""Real concurrency for the tests and the benchmark: callables released at the same moment in threads,
each thread on its own database connection (PostgreSQL, transactional tests)."""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field

from django.db import connections


def run_together(*calls):
    """Run ``calls`` at once (a barrier releases them together); their results, or the exceptions
    they raised, in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test to assert on
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@dataclass
class PairsResult:
    pairs: int = 0
    saved: int = 0
    refused: int = 0
    lost: int = 0
    other: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000 if self.seconds else 0.0


def patch_pairs(
    *, clients, child, pairs: int, fields=("address", "illness"), if_match: bool = True
) -> PairsResult:
    """``pairs`` times: read the child's version, then two clients PATCH one field each of ``fields``
    at the same moment with that version in If-Match (or, ``if_match=False``, without it, as an older
    client would). A change answered 200 that the row does not hold afterwards is lost."""
    from shouhu import versioning
    from shouhu.children.models import Child

    url = f"/api/v1/children/{child.pk}/"
    result = PairsResult()
    for i in range(pairs):
        version = Child.objects.values_list("version", flat=True).get(pk=child.pk)
        values = {name: f"{name}-{i}" for name in fields}

        def send(client, name, values=values, version=version):
            started = time.perf_counter()
            headers = {"HTTP_IF_MATCH": versioning.etag(version)} if if_match else {}
            response = client.patch(url, {name: values[name]}, format="json", **headers)
            return response.status_code, time.perf_counter() - started

        answers = run_together(*(lambda c=c, n=n: send(c, n) for c, n in zip(clients, fields, strict=True)))
        row = Child.objects.get(pk=child.pk)
        result.pairs += 1
        for name, answer in zip(fields, answers, strict=True):
            if isinstance(answer, BaseException):
                result.other.append(repr(answer))
                continue
            code, seconds = answer
            result.seconds.append(seconds)
            if code == 200:
                result.saved += 1
                if getattr(row, name) != values[name]:
                    result.lost += 1
            elif code == 412:
                result.refused += 1
            else:
                result.other.append(code)
    return result
