"""Running calls at the same moment in threads, for the concurrency tests on PostgreSQL."""

import threading

from django.db import connections


def race(*calls):
    """Run the calls in threads released together; returns (results, errors)."""
    results, errors = [], []
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:  # collected for the assertions
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
