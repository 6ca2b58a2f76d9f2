"""Hand-converted Flyte 2 code: `squares` was renamed, and `halve_until_odd` lost its zero guard."""
import flyte

env = flyte.TaskEnvironment(name="flows")


@env.task
def square_all(xs: list[int]) -> list[int]:
    return [x * x for x in xs]


@env.task
def halve_until_odd(n: int) -> int:
    while n % 2 == 0:  # loops forever for n == 0
        n //= 2
    return n


@env.task
def squares_wf(xs: list[int] = [1, 2, 3]) -> list[int]:
    return square_all(xs=xs)


@env.task
def odd_part(n: int = 40) -> int:
    return halve_until_odd(n=n)
