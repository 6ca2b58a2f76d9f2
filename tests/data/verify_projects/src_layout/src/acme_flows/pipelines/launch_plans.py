"""Launch plans of the pipelines (imported absolutely): a scheduled one and one per backfill size."""
from flytekit import CronSchedule, LaunchPlan

from acme_flows.pipelines.workflows import etl_defaults

nightly = LaunchPlan.get_or_create(
    workflow=etl_defaults,
    name="etl_nightly",
    default_inputs={"n": 7},
    schedule=CronSchedule(schedule="0 3 * * *"),
)

for size in (7, 11):  # the 7-row plan repeats the nightly inputs: one case
    LaunchPlan.get_or_create(workflow=etl_defaults, name=f"etl_backfill_{size}", fixed_inputs={"n": size})
