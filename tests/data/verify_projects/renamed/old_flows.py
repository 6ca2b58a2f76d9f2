"""Flyte 1 original: two workflows over one task."""
import typing

from flytekit import task, workflow


@task
def square_all(xs: typing.List[int]) -> typing.List[int]:
    return [x * x for x in xs]


@task
def halve_until_odd(n: int) -> int:
    while n % 2 == 0 and n != 0:
        n //= 2
    return n


@workflow
def squares(xs: typing.List[int] = [1, 2, 3]) -> typing.List[int]:
    return square_all(xs=xs)


@workflow
def odd_part(n: int = 40) -> int:
    return halve_until_odd(n=n)
