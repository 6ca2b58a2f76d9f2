"""The flytekit leg's skip detection: entities that cannot run locally are skipped with a reason."""

from __future__ import annotations

import typing

from flytekit import ContainerTask, Secret, kwtypes, reference_task, task, workflow

from flytemigrate.verify.worker import _skip_reason


@reference_task(project="p", domain="d", name="remote.lookup", version="v1")
def lookup(key: str) -> str:
    ...


@task
def local_step(x: int) -> int:
    return x


@task(secret_requests=[Secret(group="vault", key="token")])
def with_secret(x: int) -> int:
    return x


shell = ContainerTask(
    name="shell",
    image="alpine",
    command=["echo", "{{.inputs.word}}"],
    inputs=kwtypes(word=str),
)


@workflow
def calls_reference(key: str = "k") -> str:
    return lookup(key=key)


@workflow
def calls_container(word: str = "w") -> None:
    shell(word=word)


@workflow
def sub(x: int = 1) -> int:
    return with_secret(x=x)


@workflow
def nested_secret(x: int = 1) -> int:
    return sub(x=local_step(x=x))


@workflow
def plain(x: int = 1) -> int:
    return local_step(x=x)


def test_reasons():
    assert "reference task" in _skip_reason(calls_reference)
    assert "container task" in _skip_reason(calls_container)
    assert "needs secrets" in typing.cast(str, _skip_reason(nested_secret))  # found through the sub-workflow
    assert _skip_reason(plain) is None
