"""The four writing actions as data: a request, its validation and the chat messages it becomes.

Prompt wording lives in resources/prompts/. Messages put the text first and the task last, so a
second action on the same selection reuses the model's cached evaluation of the text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache

from writer.core.errors import UserError
from writer.core.language_id import identify, language_name
from writer.core.languages import find_language
from writer.core.markdown import has_markup
from writer.core.paths import resource

ACTIONS = ("generate", "summarize", "translate", "rewrite")
NOTHING_TO_DO = {  # whole sentences, so each can be translated as one
    "generate": "There is nothing to work on: select some text or give an instruction.",
    "summarize": "There is no text to summarize: select some text first.",
    "translate": "There is no text to translate: select some text first.",
    "rewrite": "There is no text to rewrite: select some text first.",
}


@lru_cache(maxsize=None)
def prompt_data(action: str) -> dict:
    return json.loads(resource("prompts", f"{action}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def system_prompt() -> str:
    return resource("prompts", "system.txt").read_text(encoding="utf-8").strip()


def styles() -> dict[str, str]:
    """Rewrite style id -> label."""
    return {k: v["label"] for k, v in prompt_data("rewrite")["styles"].items()}


def lengths(action: str) -> dict[str, str]:
    """Length id -> label for generate and summarize."""
    return {k: v["label"] for k, v in prompt_data(action)["lengths"].items()}


@dataclass(frozen=True)
class ActionRequest:
    action: str
    text: str
    style: str | None = None
    language: str | None = None
    instruction: str | None = None
    length: str | None = None

    def validated(self) -> "ActionRequest":
        """Checks the options, fills defaults, and raises UserError with a clear sentence."""
        if self.action not in ACTIONS:
            raise UserError("action.unknown", "Unknown action '{action}'; choose one of {choices}.", action=self.action, choices=", ".join(ACTIONS))
        instruction = (self.instruction or "").strip() or None
        if "\x00" in self.text:
            raise UserError("action.binary_text", "The text contains binary data; choose a plain text file.")
        has_text = bool(self.text.strip())
        if not has_text and not (self.action == "generate" and instruction):
            raise UserError("action.nothing_to_do", NOTHING_TO_DO[self.action])
        data = prompt_data(self.action)
        req = replace(self, instruction=instruction)
        if self.action in ("generate", "summarize"):
            length = (self.length or data["default_length"]).strip().lower()
            if length not in data["lengths"]:
                raise UserError("action.unknown_length", "Unknown length '{length}'; choose one of {choices}.", length=self.length,
                                choices=", ".join(data["lengths"]))
            req = replace(req, length=length)
        if self.action == "translate":
            if not self.language:
                raise UserError("action.no_language", "Choose a language to translate to.")
            req = replace(req, language=find_language(self.language).code)
        if self.action == "rewrite":
            if instruction and not self.style:
                return replace(req, style="custom")
            style = (self.style or data["default_style"]).strip().lower()
            if style != "custom" and style not in data["styles"]:
                raise UserError("action.unknown_style", "Unknown style '{style}'; choose one of {choices}.", style=self.style,
                                choices=", ".join(data["styles"]))
            if style == "custom" and not instruction:
                raise UserError("action.no_instruction", "A custom rewrite needs an instruction.")
            req = replace(req, style=style)
        return req

    def task(self, text: str | None = None) -> str:
        """The instruction for `text` (a piece of the request's text); without one, the longest
        instruction the action may use, for sizing."""
        data = prompt_data(self.action)
        if self.action == "generate":
            words = data["lengths"][self.length]["words"]
            if self.instruction:
                key = "instruction_with_text" if self.text.strip() else "instruction_only"
                return data[key].format(instruction=self.instruction, words=words)
            return data["continue"].format(words=words)
        if self.action == "summarize":
            return data["lengths"][self.length]["task"] + " " + self._same_language(data)
        if self.action == "translate":
            task = data["task"].format(language=find_language(self.language).name)
            # Asked about formatting that is not there, models answer in the source language.
            return task + " " + data["formatting"] if text is None or has_markup(text) else task
        if self.style == "custom":
            return data["custom"].format(instruction=self.instruction) + " " + self._same_language(data)
        return data["styles"][self.style]["task"] + " " + self._same_language(data)

    def _same_language(self, data: dict) -> str:
        """Small models ignore "the same language as the text" but follow "in Chinese": the
        language is named when it can be told."""
        code = identify(self.text)
        return data["named_language"].format(language=language_name(code)) if code else data["same_language"]

    def messages(self, text: str | None = None, task: str | None = None) -> list[dict]:
        """Chat messages for `text` (a piece of the request's text, by default all of it)."""
        text = self.text if text is None else text
        task = task or self.task(text)
        user = f'Text:\n"""\n{text}\n"""\n\n{task}' if text.strip() else task
        return [{"role": "system", "content": system_prompt()}, {"role": "user", "content": user}]

    def output_ratio(self) -> float:
        """Expected output tokens per input token, used to size pieces of long text."""
        data = prompt_data(self.action)
        if self.action == "translate":
            return data["output_ratio"]
        if self.action == "rewrite":
            if self.style == "custom":
                return data["custom_output_ratio"]
            return data["styles"][self.style]["output_ratio"]
        return 0.0

    def fixed_max_tokens(self) -> int | None:
        """Generate and summarize write a set length; the others scale with their input."""
        if self.action in ("generate", "summarize"):
            return prompt_data(self.action)["lengths"][self.length]["max_tokens"]
        return None

    def combine_task(self) -> str:
        data = prompt_data("summarize")
        return data["combine"] + " " + self.task()
