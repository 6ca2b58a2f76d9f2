"""Workflows calling what cannot run in a local verify: a reference task, a raw container, a secret,
a dataset downloaded from a URL."""
import flytekit
from flytekit import ContainerTask, Secret, kwtypes, reference_task, task, workflow
from flytekit.types.file import FlyteFile


@reference_task(
    project="flytesnacks",
    domain="development",
    name="core.basic.hello_world.say_hello",
    version="v1",
)
def say_hello(name: str) -> str:
    ...


ellipse_area = ContainerTask(
    name="ellipse-area-metadata-shell",
    input_data_dir="/var/inputs",
    output_data_dir="/var/outputs",
    inputs=kwtypes(a=float, b=float),
    outputs=kwtypes(area=float, metadata=str),
    image="ghcr.io/flyteorg/rawcontainers-shell:v2",
    command=["./calculate-ellipse-area.sh", "/var/inputs", "/var/outputs"],
)


@task(secret_requests=[Secret(group="warehouse", key="token")])
def fetch_rows(table: str) -> int:
    token = flytekit.current_context().secrets.get("warehouse", "token")
    return len(table) + len(token)


@task
def shout(text: str) -> str:
    return text.upper()


@workflow
def greet_remote(name: str = "flyte") -> str:
    return shout(text=say_hello(name=name))


@workflow
def area(a: float = 1.0, b: float = 2.0) -> float:
    out = ellipse_area(a=a, b=b)
    return out.area


@workflow
def warehouse_report(table: str = "orders") -> int:
    return fetch_rows(table=table)


@task
def count_lines(dataset: FlyteFile) -> int:
    with open(dataset) as handle:
        return sum(1 for _ in handle)


@workflow
def public_dataset(dataset: FlyteFile = "https://people.sc.fsu.edu/~jburkardt/data/csv/biostats.csv") -> int:
    return count_lines(dataset=dataset)
