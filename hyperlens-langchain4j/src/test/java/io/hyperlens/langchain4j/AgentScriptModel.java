package io.hyperlens.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real, thread-safe {@link ChatModel} for agentic workflows, answering by rule: the supervisor's
 * planner is sent to the researcher, then the writer, then done; an agent offered tools first calls
 * each of them once; a request whose text holds {@code FAIL} throws; anything else gets a short
 * text. Every answer uses 100 input and 20 output tokens of {@code gpt-4o}.
 */
final class AgentScriptModel implements ChatModel {
  static final String FAILURE = "model endpoint refused key sk-proj-abcdefghijklmnopqrstuvwx";

  private final AtomicInteger calls = new AtomicInteger();

  @Override
  public ChatResponse doChat(ChatRequest request) {
    int call = calls.incrementAndGet();
    List<ChatMessage> messages = request.messages();
    ChatMessage last = messages.get(messages.size() - 1);
    String system = messages.get(0) instanceof SystemMessage s ? s.text() : "";
    AiMessage answer;
    if (system.startsWith("You are a planner")) {
      String user = ((UserMessage) last).singleText();
      if (user.contains("last received response is: ''")) {
        answer =
            AiMessage.from("{\"agentName\":\"researcher\",\"arguments\":{\"topic\":\"agents\"}}");
      } else if (user.contains("research:")) {
        answer = AiMessage.from("{\"agentName\":\"writer\",\"arguments\":{\"facts\":\"facts\"}}");
      } else {
        answer = AiMessage.from("{\"agentName\":\"done\",\"arguments\":{\"response\":\"done\"}}");
      }
    } else if (last instanceof UserMessage user) {
      if (user.singleText().contains("FAIL")) {
        throw new IllegalStateException(FAILURE);
      }
      List<ToolSpecification> tools = request.toolSpecifications();
      if (tools != null && !tools.isEmpty()) {
        List<ToolExecutionRequest> toolCalls = new ArrayList<>();
        for (ToolSpecification tool : tools) {
          toolCalls.add(
              ToolExecutionRequest.builder()
                  .id("call_" + call + "_" + tool.name())
                  .name(tool.name())
                  .arguments("{\"arg0\":\"agents\"}")
                  .build());
        }
        answer = AiMessage.from(toolCalls);
      } else {
        answer =
            AiMessage.from(
                user.singleText().startsWith("Research") ? "research: agents" : "a story");
      }
    } else if (last instanceof ToolExecutionResultMessage result) {
      answer = AiMessage.from("research: " + result.text());
    } else {
      answer = AiMessage.from("ok");
    }
    return ChatResponse.builder()
        .aiMessage(answer)
        .id("resp-" + call)
        .modelName("gpt-4o")
        .tokenUsage(new TokenUsage(100, 20))
        .finishReason(
            answer.hasToolExecutionRequests() ? FinishReason.TOOL_EXECUTION : FinishReason.STOP)
        .build();
  }

  @Override
  public ModelProvider provider() {
    return ModelProvider.OPEN_AI;
  }
}
