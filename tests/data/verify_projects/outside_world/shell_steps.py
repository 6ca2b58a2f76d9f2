"""A ShellTask pipeline: flytekit runs the script locally, Flyte 2 has no ShellTask class."""
from flytekit import kwtypes, workflow
from flytekit.extras.tasks.shell import OutputLocation, ShellTask
from flytekit.types.file import FlyteFile

copy_file = ShellTask(
    name="copy_file",
    debug=True,
    script="""
    set -ex
    cp {inputs.src} {outputs.dst}
    """,
    inputs=kwtypes(src=FlyteFile),
    output_locs=[OutputLocation(var="dst", var_type=FlyteFile, location="{inputs.src}.copy")],
)


@workflow
def copy_wf(src: FlyteFile) -> FlyteFile:
    return copy_file(src=src)
