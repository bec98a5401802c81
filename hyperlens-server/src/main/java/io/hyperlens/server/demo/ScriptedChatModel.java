package io.hyperlens.server.demo;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A real LangChain4j {@link ChatModel} that answers from a script instead of a network: each
 * request goes to {@code script}, and the answer comes back as a model's would, with a response id,
 * the model's name, a finish reason and token usage (about four characters a token, as the
 * tokenizers of the well-known models average on English). No model can be reached from the demo,
 * and a canned answer keeps a run repeatable.
 *
 * <p>Thread-safe when the script is.
 */
public final class ScriptedChatModel implements ChatModel {
  private final ModelProvider provider;
  private final String modelName;
  private final Function<ChatRequest, AiMessage> script;
  private final AtomicLong responses = new AtomicLong();

  /**
   * A model of {@code provider} named {@code modelName} answering what {@code script} says.
   *
   * @throws IllegalArgumentException when an argument is null or the name blank
   */
  public ScriptedChatModel(
      ModelProvider provider, String modelName, Function<ChatRequest, AiMessage> script) {
    if (provider == null || script == null) {
      throw new IllegalArgumentException("provider and script must not be null");
    }
    if (modelName == null || modelName.isBlank()) {
      throw new IllegalArgumentException(
          "modelName must not be blank, got "
              + (modelName == null ? "null" : "\"" + modelName + "\""));
    }
    this.provider = provider;
    this.modelName = modelName;
    this.script = script;
  }

  @Override
  public ChatResponse doChat(ChatRequest request) {
    AiMessage answer = script.apply(request);
    int input = 0;
    for (ChatMessage message : request.messages()) {
      input += tokens(text(message));
    }
    int output =
        answer.hasToolExecutionRequests()
            ? answer.toolExecutionRequests().stream()
                .mapToInt(call -> tokens(call.name() + call.arguments()))
                .sum()
            : tokens(answer.text());
    return ChatResponse.builder()
        .aiMessage(answer)
        .id("chatcmpl-" + modelName + "-" + responses.incrementAndGet())
        .modelName(modelName)
        .tokenUsage(new TokenUsage(input, output))
        .finishReason(
            answer.hasToolExecutionRequests() ? FinishReason.TOOL_EXECUTION : FinishReason.STOP)
        .build();
  }

  /** The model's name as the default of every request, as a provider's model sets it. */
  @Override
  public ChatRequestParameters defaultRequestParameters() {
    return ChatRequestParameters.builder().modelName(modelName).build();
  }

  @Override
  public ModelProvider provider() {
    return provider;
  }

  /** The model's name, as its responses carry it. */
  public String modelName() {
    return modelName;
  }

  private static int tokens(String text) {
    return text == null ? 0 : Math.max(1, (text.length() + 3) / 4);
  }

  private static String text(ChatMessage message) {
    if (message instanceof SystemMessage system) {
      return system.text();
    }
    if (message instanceof UserMessage user) {
      return user.hasSingleText() ? user.singleText() : user.toString();
    }
    if (message instanceof ToolExecutionResultMessage result) {
      return result.text();
    }
    if (message instanceof AiMessage ai) {
      return ai.text() != null ? ai.text() : String.valueOf(ai.toolExecutionRequests());
    }
    return message.toString();
  }
}
