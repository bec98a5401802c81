package io.hyperlens.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import io.hyperlens.otel.GenAiMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** LangChain4j chat messages in the GenAI conventions' content structure. */
final class Messages {
  private Messages() {}

  static List<GenAiMessage> input(List<ChatMessage> messages) {
    if (messages == null) {
      return List.of();
    }
    List<GenAiMessage> out = new ArrayList<>(messages.size());
    for (ChatMessage message : messages) {
      if (message != null) {
        out.add(input(message));
      }
    }
    return out;
  }

  static GenAiMessage input(ChatMessage message) {
    if (message instanceof SystemMessage system) {
      return new GenAiMessage("system", textParts(system.text()), null);
    }
    if (message instanceof UserMessage user) {
      List<GenAiMessage.Part> parts = new ArrayList<>();
      for (Content content : user.contents()) {
        parts.add(part(content));
      }
      return new GenAiMessage("user", parts, null);
    }
    if (message instanceof AiMessage ai) {
      return new GenAiMessage("assistant", aiParts(ai), null);
    }
    if (message instanceof ToolExecutionResultMessage result) {
      return new GenAiMessage(
          "tool", List.of(GenAiMessage.Part.toolCallResponse(result.id(), result.text())), null);
    }
    // A CustomMessage or a type of a later LangChain4j: its role, without content we cannot read.
    return new GenAiMessage(message.type().name().toLowerCase(Locale.ROOT), List.of(), null);
  }

  /**
   * The model's answer; {@code finishReason} the conventions' one, or null when the response gave
   * none, and then inferred: {@code tool_call} when it asks for tools, else {@code stop}.
   */
  static GenAiMessage output(AiMessage message, String finishReason) {
    String reason =
        finishReason != null
            ? finishReason
            : message.hasToolExecutionRequests() ? "tool_call" : "stop";
    return new GenAiMessage("assistant", aiParts(message), reason);
  }

  private static List<GenAiMessage.Part> aiParts(AiMessage message) {
    List<GenAiMessage.Part> parts = new ArrayList<>(textParts(message.text()));
    if (message.hasToolExecutionRequests()) {
      for (ToolExecutionRequest request : message.toolExecutionRequests()) {
        // The arguments stay LangChain4j's JSON text: parsing them could fail on a model's output.
        parts.add(GenAiMessage.Part.toolCall(request.id(), name(request), request.arguments()));
      }
    }
    return parts;
  }

  private static String name(ToolExecutionRequest request) {
    String name = request.name();
    return name == null || name.isBlank() ? "unknown" : name;
  }

  private static List<GenAiMessage.Part> textParts(String text) {
    return text == null ? List.of() : List.of(GenAiMessage.Part.text(text));
  }

  private static GenAiMessage.Part part(Content content) {
    if (content instanceof TextContent text) {
      return GenAiMessage.Part.text(text.text() == null ? "" : text.text());
    }
    // Images, audio, PDFs: their kind only, never their bytes or URLs.
    return new GenAiMessage.Part(content.type().name().toLowerCase(Locale.ROOT), Map.of());
  }
}
