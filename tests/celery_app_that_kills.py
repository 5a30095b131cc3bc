"""publisher.celery's app for a test worker (`celery -A celery_app_that_kills worker`) whose process
is killed (SIGKILL, as the kernel's out-of-memory killer kills) whenever it starts building the work
`dies`: a fault injected into the worker by the test, not a path of publisher's. Each kill is logged
as a line in the file $PUBLISHER_TEST_KILLS."""
import os
import signal

import publisher.celery
from publisher.celery import app  # noqa: F401  (the app `celery -A` runs)

_build_work = publisher.celery.build_work


def _build_or_die(spec, *args, **kwargs):
    if spec.id == "dies":
        with open(os.environ["PUBLISHER_TEST_KILLS"], "a") as kills:
            kills.write(f"{os.getpid()}\n")
        os.kill(os.getpid(), signal.SIGKILL)
    return _build_work(spec, *args, **kwargs)


publisher.celery.build_work = _build_or_die
