"""The pipeline tests' engine: words count as tokens, the answer is the quoted text upper-cased."""

import re

from writer.core.events import Delta, Finished


class EchoEngine:
    """A fast stand-in: counts words as tokens and answers with the text it was given, upper-cased."""

    def __init__(self, finish="stop", upper=True):
        self.prompts = []
        self.finish = finish
        self.upper = upper

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]

    def generate(self, messages, max_tokens, **params):
        content = messages[-1]["content"]
        self.prompts.append(content)
        match = re.search(r'"""\n(.*)\n"""', content, re.S)
        answer = (match.group(1).upper() if self.upper else match.group(1)) if match else "GENERATED TEXT"
        if "ummar" in content:  # summaries are short
            answer = " ".join(answer.split()[:5])
        engine = self

        class Gen:
            def __iter__(self):
                for word in answer.split(" "):
                    yield Delta(word + " ")
                yield Finished(engine.finish, 3, 10.0)

            def cancel(self):
                pass

        return Gen()
