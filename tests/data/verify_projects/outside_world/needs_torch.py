"""A training module whose optional dependency is not installed where verify runs."""
import torch
from flytekit import task, workflow


@task
def train(epochs: int) -> float:
    model = torch.nn.Linear(1, 1)
    return float(epochs) * float(model.weight.sum())


@workflow
def training(epochs: int = 1) -> float:
    return train(epochs=epochs)
