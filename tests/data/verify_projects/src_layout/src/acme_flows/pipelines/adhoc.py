"""An ad-hoc pipeline built imperatively (as generated pipelines often are), with its own tasks."""
import typing

from flytekit import Workflow, task


@task
def split_words(text: str) -> typing.List[str]:
    return text.split()


@task
def longest(words: typing.List[str]) -> int:
    return max((len(w) for w in words), default=0)


word_stats = Workflow(name="acme.adhoc.word_stats")
word_stats.add_workflow_input("text", str)
words_node = word_stats.add_entity(split_words, text=word_stats.inputs["text"])
longest_node = word_stats.add_entity(longest, words=words_node.outputs["o0"])
word_stats.add_workflow_output("longest_word", longest_node.outputs["o0"], python_type=int)
