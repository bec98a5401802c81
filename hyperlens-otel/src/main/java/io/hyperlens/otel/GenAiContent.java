package io.hyperlens.otel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.hyperlens.redact.Redactor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes captured content as the conventions' JSON: every string redacted by {@link Redactor}, the
 * whole cut to {@code maxLength} characters while staying valid JSON, the longest strings first,
 * each cut string ending in {@value #TRUNCATED}.
 *
 * <p>Thread-safe (the mapper is).
 */
final class GenAiContent {
  /** Appended to every string that was cut to fit the cap. */
  static final String TRUNCATED = "...[truncated]";

  private static final String CARD = "[REDACTED:credit_card]";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int MAX_ROUNDS = 64;

  private final Redactor redactor;
  private final int maxLength;

  GenAiContent(Redactor redactor, int maxLength) {
    this.redactor = redactor;
    this.maxLength = maxLength;
  }

  /** The JSON and whether it was truncated. */
  record Json(String text, boolean truncated) {}

  Json messages(List<GenAiMessage> messages) {
    ArrayNode root = MAPPER.createArrayNode();
    for (GenAiMessage message : messages) {
      ObjectNode node = root.addObject();
      node.put("role", message.role());
      ArrayNode parts = node.putArray("parts");
      message.parts().forEach(part -> parts.add(part(part)));
      if (message.finishReason() != null) {
        node.put("finish_reason", message.finishReason());
      }
    }
    return write(root);
  }

  Json parts(List<GenAiMessage.Part> parts) {
    ArrayNode root = MAPPER.createArrayNode();
    parts.forEach(part -> root.add(part(part)));
    return write(root);
  }

  private static ObjectNode part(GenAiMessage.Part part) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("type", part.type());
    for (Map.Entry<String, Object> field : part.fields().entrySet()) {
      node.set(field.getKey(), MAPPER.valueToTree(field.getValue()));
    }
    return node;
  }

  private Json write(ArrayNode root) {
    redact(root);
    String json = serialize(root);
    boolean truncated = false;
    for (int round = 0; json.length() > maxLength && round < MAX_ROUNDS; round++) {
      truncated = true;
      int excess = json.length() - maxLength;
      Slot longest = longest(root);
      int keep = longest == null ? -1 : longest.text().length() - excess - TRUNCATED.length();
      if (keep > 0) {
        if (Character.isHighSurrogate(longest.text().charAt(keep - 1))) {
          keep--;
        }
        longest.set(longest.text().substring(0, keep) + TRUNCATED);
      } else if (!dropLast(root)) {
        break;
      }
      json = serialize(root);
    }
    if (json.length() > maxLength) {
      root.removeAll();
      json = "[]";
    }
    return new Json(json, truncated);
  }

  /** Drops the last part of the last message (or the last message once it has none). */
  private static boolean dropLast(ArrayNode root) {
    if (root.isEmpty()) {
      return false;
    }
    JsonNode last = root.get(root.size() - 1);
    JsonNode parts = last.get("parts");
    if (parts instanceof ArrayNode array && array.size() > 1) {
      array.remove(array.size() - 1);
    } else {
      root.remove(root.size() - 1);
    }
    return true;
  }

  /**
   * Redacts in place: everything under a secret key (a string, a number, an object or an array)
   * becomes the credential marker, every other string is scanned, and an integer that is a card
   * number is replaced.
   */
  private void redact(ContainerNode<?> node) {
    if (node instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> field : new ArrayList<>(object.properties())) {
        object.set(field.getKey(), redacted(field.getKey(), field.getValue()));
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, redacted(null, array.get(i)));
      }
    }
  }

  private JsonNode redacted(String key, JsonNode value) {
    if (key != null && redactor.isSecretKey(key) && !value.isNull()) {
      return TextNode.valueOf(redactor.redactUnder(key, "")); // the credential marker
    }
    if (value.isTextual()) {
      return TextNode.valueOf(redactor.redact(value.textValue()));
    }
    if (value.isIntegralNumber()) {
      String digits = value.asText();
      return digits.length() >= 13 && Redactor.isCardNumber(digits)
          ? TextNode.valueOf(CARD)
          : value;
    }
    if (value instanceof ContainerNode<?> container) {
      redact(container);
    }
    return value;
  }

  /** A string value and where it sits, so that it can be replaced. */
  private record Slot(JsonNode parent, String field, int index, String text) {
    void set(String value) {
      if (parent instanceof ObjectNode object) {
        object.put(field, value);
      } else {
        ((ArrayNode) parent).set(index, TextNode.valueOf(value));
      }
    }
  }

  private static Slot longest(JsonNode node) {
    Slot best = null;
    if (node instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        Slot candidate =
            field.getValue().isTextual()
                ? new Slot(object, field.getKey(), -1, field.getValue().textValue())
                : longest(field.getValue());
        best = longer(best, candidate);
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        JsonNode item = array.get(i);
        Slot candidate =
            item.isTextual() ? new Slot(array, null, i, item.textValue()) : longest(item);
        best = longer(best, candidate);
      }
    }
    return best;
  }

  private static Slot longer(Slot a, Slot b) {
    if (a == null) {
      return b;
    }
    return b != null && b.text().length() > a.text().length() ? b : a;
  }

  private static String serialize(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }
}
