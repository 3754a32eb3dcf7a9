"""The chat model resource speaks the OpenAI protocol to whatever server the environment names."""

import dagster as dg
import pytest
from dag_shared.resources.llm import ChatModelResource, chat_model_resource
from dag_shared.testing_chat_server import ChatServer


@pytest.fixture
def chat_server():
    """The local OpenAI-compatible server, echoing the last user message in upper case."""
    with ChatServer(lambda body: (200, body["messages"][-1]["content"].upper())) as server:
        yield server


def test_an_asset_calls_the_configured_endpoint_with_the_configured_model(chat_server, monkeypatch):
    monkeypatch.setenv("LLM_BASE_URL", chat_server.base_url)
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
    assert chat_server.paths[0] == "/v1/chat/completions"
    assert chat_server.requests[0]["model"] == "qwen-local"
    assert chat_server.auth[0] == "Bearer local-test-key"


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
