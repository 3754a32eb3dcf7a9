"""OpenAI-compatible chat endpoints (LM Studio, vLLM, Ollama, OpenAI, Gemini's compatible API).

Base URL, key and model all come from the environment; nothing points at a fixed host.
`ChatModelResource` is a required endpoint (dagster-openai's resource plus a model name);
`OptionalChatModelResource` is one a pipeline may run without (a local method instead), and
`JsonChatClient` asks it for strict JSON-schema answers and validates them before anyone writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import dagster as dg
from pydantic import Field

if TYPE_CHECKING:
    from dag_shared.resources._chat_model import ChatModelResource


def __getattr__(name: str):
    # dagster-openai imports the openai SDK (seconds on a busy machine): only a definitions module
    # that uses the required-endpoint resource pays for it, not every importer of this module.
    if name == "ChatModelResource":
        from dag_shared.resources._chat_model import ChatModelResource

        return ChatModelResource
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def chat_model_resource(prefix: str = "LLM") -> ChatModelResource:
    """Resource configured from `<PREFIX>_BASE_URL`, `<PREFIX>_API_KEY` and `<PREFIX>_MODEL`."""
    from dag_shared.resources._chat_model import ChatModelResource

    return ChatModelResource(
        base_url=dg.EnvVar(f"{prefix}_BASE_URL"),
        api_key=dg.EnvVar(f"{prefix}_API_KEY"),
        model=dg.EnvVar(f"{prefix}_MODEL"),
        settings_prefix=prefix,
    )


class AnswerError(ValueError):
    """The endpoint answered, but not with a usable result (not JSON, against the schema, refused).

    Permanent for the request that caused it: retrying the same input gives the same kind of answer.
    `reason` is short and names what was wrong; `reply` is the raw answer when there was one.
    """

    def __init__(self, reason: str, reply: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.reply = reply


class ModelUnavailable(RuntimeError):
    """The endpoint could not be reached or kept failing (connection, timeout, 429, 5xx) after retries."""


@dataclass(frozen=True)
class ChatEndpoint:
    """Where one model is served: resolved from `<PREFIX>_BASE_URL`, `_API_KEY` and `_MODEL`."""

    prefix: str
    base_url: str
    api_key: str
    model: str


class OptionalChatModelResource(dg.ConfigurableResource):
    """An OpenAI-compatible endpoint that may be absent: no base URL means "use the local method".

    Unlike `ChatModelResource` (which refuses to start without an endpoint), this resource reads
    `<PREFIX>_BASE_URL`, `<PREFIX>_API_KEY` and `<PREFIX>_MODEL` when a run asks for the endpoint,
    so the same definitions run offline and against a model server.
    """

    settings_prefix: str = Field(default="LLM", description="Prefix of the variables configuring it.")
    base_url: str | None = Field(default=None, description="Unset: <PREFIX>_BASE_URL; empty = no model.")
    api_key: str | None = Field(default=None, description="Unset: <PREFIX>_API_KEY.")
    model: str | None = Field(default=None, description="Unset: <PREFIX>_MODEL.")
    timeout_seconds: float = Field(default=120.0, gt=0, description="Timeout of one request.")
    attempts: int = Field(default=3, ge=1, le=10, description="Tries per request on transient errors.")

    def endpoint(self) -> ChatEndpoint | None:
        """The configured endpoint, None when no base URL is set; a base URL without model fails."""
        from dag_shared.settings import env

        prefix = self.settings_prefix
        base_url = self.base_url if self.base_url is not None else env(f"{prefix}_BASE_URL", "")
        if not (base_url or "").strip():
            return None
        model = self.model if self.model is not None else env(f"{prefix}_MODEL", "")
        if not (model or "").strip():
            raise dg.Failure(f"{prefix}_BASE_URL is set but {prefix}_MODEL is empty", allow_retries=False)
        api_key = self.api_key if self.api_key is not None else env(f"{prefix}_API_KEY", "")
        return ChatEndpoint(prefix, base_url.strip(), api_key or "", model.strip())

    def json_client(self) -> JsonChatClient | None:
        """A client for the configured endpoint, or None when there is none."""
        endpoint = self.endpoint()
        if endpoint is None:
            return None
        return JsonChatClient(endpoint, timeout_seconds=self.timeout_seconds, attempts=self.attempts)


class JsonChatClient:
    """Chat completions whose answer must be one JSON object valid against a strict JSON schema.

    Transient transport failures (connection, timeout, 429, 5xx) are retried with exponential
    backoff and then raised as `ModelUnavailable`; any other refusal, and an answer that is not a
    JSON object or breaks the schema, raises `AnswerError` with the reason. Validation needs the
    `jsonschema` package in the calling environment.
    """

    def __init__(self, endpoint: ChatEndpoint, timeout_seconds: float = 120.0, attempts: int = 3):
        from openai import OpenAI

        self.endpoint = endpoint
        self.attempts = attempts
        self._client = OpenAI(
            base_url=endpoint.base_url,
            api_key=endpoint.api_key or "unused",
            max_retries=0,
            timeout=timeout_seconds,
        )

    @property
    def model(self) -> str:
        return self.endpoint.model

    def complete_json(
        self,
        messages: list[dict[str, Any]],
        schema_name: str,
        schema: dict[str, Any],
        max_tokens: int | None = None,
    ) -> tuple[dict[str, Any], str]:
        """(the validated object, the raw reply) for one request at temperature 0."""
        import openai
        from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

        transient = (
            openai.APIConnectionError,
            openai.APITimeoutError,
            openai.RateLimitError,
            openai.InternalServerError,
        )
        call = retry(
            retry=retry_if_exception_type(transient),
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=0.5, max=8),
            reraise=True,
        )(self._complete_once)
        try:
            reply = call(messages, schema_name, schema, max_tokens)
        except transient as error:
            raise ModelUnavailable(
                f"{self.endpoint.prefix} endpoint: {type(error).__name__}: {error}"
            ) from error
        except openai.APIStatusError as error:
            raise AnswerError(f"refused: HTTP {error.status_code}: {str(error)[:300]}") from error
        return validate_json_answer(reply, schema), reply

    def _complete_once(
        self, messages: list[dict[str, Any]], schema_name: str, schema: dict[str, Any], max_tokens: int | None
    ) -> str:
        extra: dict[str, Any] = {} if max_tokens is None else {"max_tokens": max_tokens}
        response = self._client.chat.completions.create(
            model=self.endpoint.model,
            temperature=0,
            messages=messages,
            response_format={
                "type": "json_schema",
                "json_schema": {"name": schema_name, "strict": True, "schema": schema},
            },
            **extra,
        )
        content = response.choices[0].message.content if response.choices else None
        if not content:
            raise AnswerError("empty answer")
        return content

    def close(self) -> None:
        self._client.close()


def validate_json_answer(reply: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The answer's JSON object, checked against `schema`; AnswerError naming the first violation.

    Code fences around the object are tolerated (some servers add them even in JSON mode);
    anything else around it is not.
    """
    import json

    import jsonschema

    text = reply.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise AnswerError(
            f"not JSON: {error.msg} at line {error.lineno} column {error.colno}", reply
        ) from None
    if not isinstance(value, dict):
        raise AnswerError(f"not a JSON object but {type(value).__name__}", reply)
    problem = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(value))
    if problem is not None:
        where = "/".join(str(part) for part in problem.absolute_path) or "(root)"
        raise AnswerError(f"schema: {where}: {problem.message[:200]}", reply)
    return value
