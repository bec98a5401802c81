package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes;
import io.opentelemetry.semconv.incubating.SessionIncubatingAttributes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class GenAiAttributesTest {
  @Test
  void everyKeyIsTheSemconvKeyOfTheVersionNoted() {
    assertThat(GenAiAttributes.CONVENTIONS_VERSION).isEqualTo("1.37.0");
    assertThat(
            List.of(
                GenAiAttributes.GEN_AI_OPERATION_NAME,
                GenAiAttributes.GEN_AI_PROVIDER_NAME,
                GenAiAttributes.GEN_AI_REQUEST_MODEL,
                GenAiAttributes.GEN_AI_REQUEST_TEMPERATURE,
                GenAiAttributes.GEN_AI_REQUEST_MAX_TOKENS,
                GenAiAttributes.GEN_AI_REQUEST_TOP_P,
                GenAiAttributes.GEN_AI_RESPONSE_MODEL,
                GenAiAttributes.GEN_AI_RESPONSE_ID,
                GenAiAttributes.GEN_AI_RESPONSE_FINISH_REASONS,
                GenAiAttributes.GEN_AI_USAGE_INPUT_TOKENS,
                GenAiAttributes.GEN_AI_USAGE_OUTPUT_TOKENS,
                GenAiAttributes.GEN_AI_TOKEN_TYPE,
                GenAiAttributes.GEN_AI_CONVERSATION_ID,
                GenAiAttributes.GEN_AI_AGENT_ID,
                GenAiAttributes.GEN_AI_AGENT_NAME,
                GenAiAttributes.GEN_AI_AGENT_DESCRIPTION,
                GenAiAttributes.GEN_AI_TOOL_NAME,
                GenAiAttributes.GEN_AI_TOOL_CALL_ID,
                GenAiAttributes.GEN_AI_TOOL_TYPE,
                GenAiAttributes.GEN_AI_TOOL_DESCRIPTION,
                GenAiAttributes.SERVER_ADDRESS,
                GenAiAttributes.SERVER_PORT,
                GenAiAttributes.ERROR_TYPE,
                GenAiAttributes.SESSION_ID))
        .containsExactly(
            GenAiIncubatingAttributes.GEN_AI_OPERATION_NAME,
            GenAiIncubatingAttributes.GEN_AI_PROVIDER_NAME,
            GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL,
            GenAiIncubatingAttributes.GEN_AI_REQUEST_TEMPERATURE,
            GenAiIncubatingAttributes.GEN_AI_REQUEST_MAX_TOKENS,
            GenAiIncubatingAttributes.GEN_AI_REQUEST_TOP_P,
            GenAiIncubatingAttributes.GEN_AI_RESPONSE_MODEL,
            GenAiIncubatingAttributes.GEN_AI_RESPONSE_ID,
            GenAiIncubatingAttributes.GEN_AI_RESPONSE_FINISH_REASONS,
            GenAiIncubatingAttributes.GEN_AI_USAGE_INPUT_TOKENS,
            GenAiIncubatingAttributes.GEN_AI_USAGE_OUTPUT_TOKENS,
            GenAiIncubatingAttributes.GEN_AI_TOKEN_TYPE,
            GenAiIncubatingAttributes.GEN_AI_CONVERSATION_ID,
            GenAiIncubatingAttributes.GEN_AI_AGENT_ID,
            GenAiIncubatingAttributes.GEN_AI_AGENT_NAME,
            GenAiIncubatingAttributes.GEN_AI_AGENT_DESCRIPTION,
            GenAiIncubatingAttributes.GEN_AI_TOOL_NAME,
            GenAiIncubatingAttributes.GEN_AI_TOOL_CALL_ID,
            GenAiIncubatingAttributes.GEN_AI_TOOL_TYPE,
            GenAiIncubatingAttributes.GEN_AI_TOOL_DESCRIPTION,
            ServerAttributes.SERVER_ADDRESS,
            ServerAttributes.SERVER_PORT,
            ErrorAttributes.ERROR_TYPE,
            SessionIncubatingAttributes.SESSION_ID);
    // Typed "any" in the conventions, so the semconv jar has no constants for them.
    assertThat(
            List.of(
                GenAiAttributes.GEN_AI_INPUT_MESSAGES.getKey(),
                GenAiAttributes.GEN_AI_OUTPUT_MESSAGES.getKey(),
                GenAiAttributes.GEN_AI_SYSTEM_INSTRUCTIONS.getKey()))
        .containsExactly(
            "gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions");
  }

  @Test
  void onlyGenAiAttributesNamesTheSemconvGenAiConstants() throws IOException {
    // A newer semconv jar deprecates them; one place to change when the conventions move.
    try (Stream<Path> sources = Files.walk(Path.of("src/main/java/io/hyperlens/otel"))) {
      assertThat(
              sources
                  .filter(p -> p.toString().endsWith(".java"))
                  .filter(p -> read(p).contains("GenAiIncubatingAttributes"))
                  .map(p -> p.getFileName().toString()))
          .isEmpty();
    }
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
