package io.hyperlens.otel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One chat message in the GenAI conventions' content structure: a {@code role}, its {@code parts}
 * and, for output messages, a {@code finish_reason}. {@link GenAiOperation#inputMessages} and
 * {@link GenAiOperation#outputMessages} write lists of them as {@code gen_ai.input.messages} and
 * {@code gen_ai.output.messages} when content capture is on.
 *
 * <p>Immutable; thread-safe.
 *
 * <pre>{@code
 * chat.inputMessages(List.of(GenAiMessage.user("What is the weather in Paris?")));
 * chat.outputMessages(List.of(GenAiMessage.assistant("Rainy, 57°F.", "stop")));
 * }</pre>
 *
 * @param role {@code system}, {@code user}, {@code assistant} or {@code tool}
 * @param parts the message's parts, in order
 * @param finishReason why the model stopped, for output messages; else null
 */
public record GenAiMessage(String role, List<Part> parts, String finishReason) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException when {@code role} is blank or {@code parts} is null
   */
  public GenAiMessage {
    GenAiOperation.requireNonBlank("role", role);
    if (parts == null) {
      throw new IllegalArgumentException("parts must not be null");
    }
    parts = List.copyOf(parts);
  }

  /** A {@code user} message of one text part. */
  public static GenAiMessage user(String text) {
    return new GenAiMessage("user", List.of(Part.text(text)), null);
  }

  /** A {@code system} message of one text part. */
  public static GenAiMessage system(String text) {
    return new GenAiMessage("system", List.of(Part.text(text)), null);
  }

  /** An {@code assistant} output message of one text part with its {@code finish_reason}. */
  public static GenAiMessage assistant(String text, String finishReason) {
    return new GenAiMessage("assistant", List.of(Part.text(text)), finishReason);
  }

  /**
   * One part of a message: its {@code type} and the fields the conventions give that type.
   *
   * <p>Immutable; thread-safe.
   *
   * @param type {@code text}, {@code tool_call}, {@code tool_call_response}, ...
   * @param fields the part's other fields, written as JSON beside {@code type}
   */
  public record Part(String type, Map<String, Object> fields) {
    /**
     * Validates and copies ({@code null} values are left out).
     *
     * @throws IllegalArgumentException when {@code type} is blank or {@code fields} is null
     */
    public Part {
      GenAiOperation.requireNonBlank("type", type);
      if (fields == null) {
        throw new IllegalArgumentException("fields must not be null");
      }
      Map<String, Object> copy = new LinkedHashMap<>();
      fields.forEach(
          (k, v) -> {
            if (v != null) {
              copy.put(k, v);
            }
          });
      fields = Collections.unmodifiableMap(copy);
    }

    /** A {@code text} part. */
    public static Part text(String content) {
      if (content == null) {
        throw new IllegalArgumentException("content must not be null");
      }
      return new Part("text", fieldsOf("content", content));
    }

    /**
     * A {@code tool_call} part: the model asks for tool {@code name}; {@code arguments} is any
     * value Jackson writes (a map, a string).
     */
    public static Part toolCall(String id, String name, Object arguments) {
      GenAiOperation.requireNonBlank("name", name);
      return new Part("tool_call", fieldsOf("id", id, "name", name, "arguments", arguments));
    }

    /** A {@code tool_call_response} part: what tool call {@code id} returned. */
    public static Part toolCallResponse(String id, Object response) {
      return new Part("tool_call_response", fieldsOf("id", id, "response", response));
    }

    private static Map<String, Object> fieldsOf(Object... keysAndValues) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (int i = 0; i < keysAndValues.length; i += 2) {
        map.put((String) keysAndValues[i], keysAndValues[i + 1]);
      }
      return map;
    }
  }
}
