"""Issue 22: the print queue's unfinished jobs, by printer and age, in an index of their own. The worker looks for a
printer's oldest unfinished job on every pass; with the status index alone, a planner that knows most jobs are
printed (statistics taken after a day of sales) walks every job from the oldest instead. Partial (only queued and
printing jobs), so it stays as small as the queue: both engines have partial indexes.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "print_job_unfinished: a printer's queued and printing jobs, oldest first"

INDEX = "CREATE INDEX print_job_unfinished ON print_job (printer, id) WHERE status IN ('queued', 'printing')"


async def make_index() -> None:
    await engine_finder().run_ddl(INDEX)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="printing", description=DESCRIPTION)
    manager.add_raw(make_index)
    return manager
