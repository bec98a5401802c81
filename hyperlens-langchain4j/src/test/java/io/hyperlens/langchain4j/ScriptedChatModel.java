package io.hyperlens.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A real {@link ChatModel} that answers from a script: each call takes the next canned response, or
 * throws the next scripted error. LangChain4j's own {@code chat(ChatRequest)} calls the listeners
 * around {@link #doChat}.
 */
final class ScriptedChatModel implements ChatModel {
  private final ModelProvider provider;
  private final ChatRequestParameters defaults;
  private final List<ChatModelListener> listeners;
  private final Deque<Object> script = new ArrayDeque<>();
  final List<ChatRequest> requests = new ArrayList<>();

  ScriptedChatModel(
      ModelProvider provider, ChatRequestParameters defaults, ChatModelListener... listeners) {
    this.provider = provider;
    this.defaults = defaults;
    this.listeners = List.of(listeners);
  }

  ScriptedChatModel answer(ChatResponse response) {
    script.add(response);
    return this;
  }

  ScriptedChatModel fail(RuntimeException error) {
    script.add(error);
    return this;
  }

  @Override
  public ChatResponse doChat(ChatRequest request) {
    requests.add(request);
    Object next = script.poll();
    if (next == null) {
      throw new IllegalStateException("the script has no answer left");
    }
    if (next instanceof RuntimeException error) {
      throw error;
    }
    return (ChatResponse) next;
  }

  @Override
  public ChatRequestParameters defaultRequestParameters() {
    return defaults;
  }

  @Override
  public List<ChatModelListener> listeners() {
    return listeners;
  }

  @Override
  public ModelProvider provider() {
    return provider;
  }
}
