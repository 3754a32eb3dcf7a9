"""The chat model resource speaks the OpenAI protocol to whatever server the environment names."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import dagster as dg
import pytest
from dag_shared.resources.llm import ChatModelResource, chat_model_resource


class ChatCompletions(BaseHTTPRequestHandler):
    """A minimal OpenAI-compatible server: echoes the last user message in upper case."""

    received: ClassVar[list[dict]] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ChatCompletions.received.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), **body}
        )
        answer = body["messages"][-1]["content"].upper()
        payload = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": answer}}
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def chat_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), ChatCompletions)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ChatCompletions.received.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_an_asset_calls_the_configured_endpoint_with_the_configured_model(chat_server, monkeypatch):
    monkeypatch.setenv("LLM_BASE_URL", chat_server)
    monkeypatch.setenv("LLM_API_KEY", "local-test-key")
    monkeypatch.setenv("LLM_MODEL", "qwen-local")

    @dg.asset
    def is_summary(context: dg.AssetExecutionContext, llm: ChatModelResource) -> dg.MaterializeResult:
        with llm.get_client(context) as client:
            reply = client.chat.completions.create(
                model=llm.model, messages=[{"role": "user", "content": "hello"}]
            )
        return dg.MaterializeResult(metadata={"answer": reply.choices[0].message.content})

    result = dg.materialize([is_summary], resources={"llm": chat_model_resource()})
    assert result.success
    assert result.asset_materializations_for_node("is_summary")[0].metadata["answer"].value == "HELLO"
    request = ChatCompletions.received[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["model"] == "qwen-local"
    assert request["auth"] == "Bearer local-test-key"


def test_a_missing_endpoint_setting_fails_the_run_naming_the_variable(monkeypatch):
    for name in ("LLM_BASE_URL", "LLM_API_KEY", "LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)

    @dg.asset
    def is_summary(llm: ChatModelResource) -> None:
        return None

    with pytest.raises(dg.DagsterInvalidConfigError, match="LLM_"):
        dg.materialize([is_summary], resources={"llm": chat_model_resource()})


def test_empty_endpoint_settings_fail_the_run_naming_the_variables(monkeypatch):
    monkeypatch.setenv("LLM_BASE_URL", "")
    monkeypatch.setenv("LLM_API_KEY", "")
    monkeypatch.setenv("LLM_MODEL", "qwen-local")

    @dg.asset
    def is_summary(llm: ChatModelResource) -> None:
        return None

    with pytest.raises(dg.DagsterResourceFunctionError) as failure:
        dg.materialize([is_summary], resources={"llm": chat_model_resource()})
    assert "set LLM_BASE_URL, LLM_API_KEY" in str(failure.value.__cause__)
