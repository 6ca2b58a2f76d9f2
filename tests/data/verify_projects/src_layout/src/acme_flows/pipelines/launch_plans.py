"""Launch plans of the pipelines (imported absolutely)."""
from flytekit import CronSchedule, LaunchPlan

from acme_flows.pipelines.workflows import etl_defaults

nightly = LaunchPlan.get_or_create(
    workflow=etl_defaults,
    name="etl_nightly",
    default_inputs={"n": 7},
    schedule=CronSchedule(schedule="0 3 * * *"),
)
