"""The service's background work on the task engine (Celery): plans, re-plans and what-if
comparisons run in worker processes (`tandem worker`), never in the API process."""
