"""Run what is queued, in this process, through django-q2's own worker and monitor.

`manage.py qcluster` is the worker in the quick start and in production. This is the same
path without the cluster's processes: each queued task is pulled from the ORM broker (claimed
by the same UPDATE a cluster uses), run by django_q.worker.worker and saved and acknowledged by
django_q.monitor.monitor. Used by the tests (the real worker against the real database) and by
`manage.py jobs_drain` (run the queue once, e.g. after the worker was stopped)."""

from __future__ import annotations

from multiprocessing import Queue, Value

from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.monitor import monitor
from django_q.scheduler import scheduler
from django_q.signing import SignedPackage
from django_q.worker import worker


def queue_drain(*, limit: int = 1000, schedules: bool = False) -> int:
    """Run up to `limit` queued tasks (after queueing the due schedules, if asked); returns how many ran."""
    broker = get_broker()
    if schedules:
        scheduler(broker=broker)
    ran = 0
    while ran < limit and broker.queue_size():
        batch = broker.dequeue() or []
        if not batch:
            break
        tasks: Queue = Queue()
        results: Queue = Queue()
        for ack_id, payload in batch:
            task = SignedPackage.loads(payload)
            task["cluster"] = Conf.CLUSTER_NAME
            task["ack_id"] = ack_id
            tasks.put(task)
        tasks.put("STOP")
        worker(tasks, results, Value("f", -1))
        results.put("STOP")
        monitor(results, broker)
        for queue in (tasks, results):
            queue.close()
            queue.join_thread()
        ran += len(batch)
    return ran
