package io.hyperlens.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code deploy/kafka/compose.yml} (no Docker engine runs here to start it): its hubs' commands are
 * ones {@code hyperlens serve} accepts, in Kafka mode on the compose network's PostgreSQL.
 */
class DeployKafkaComposeTest {
  @Test
  void theComposeFilesHubsRunServeWithOptionsItAccepts() throws Exception {
    JsonNode compose =
        new YAMLMapper().readTree(Path.of("..", "deploy", "kafka", "compose.yml").toFile());
    for (String hub : List.of("hub-a", "hub-b")) {
      JsonNode service = compose.path("services").path(hub);
      List<String> command = new ArrayList<>();
      service.path("command").forEach(part -> command.add(part.asText()));
      assertThat(command.subList(0, 4))
          .containsExactly("java", "-jar", "/app/hyperlens.jar", "serve");
      List<String> args = command.subList(3, command.size());
      CommandLine.ParseResult parsed =
          new CommandLine(new HyperlensCommand()).parseArgs(args.toArray(String[]::new));
      CommandLine.ParseResult serve = parsed.subcommand();
      assertThat(serve.matchedOptionValue("--kafka", "")).isEqualTo("kafka:9092");
      assertThat(serve.matchedOptionValue("--db", "")).startsWith("jdbc:postgresql://postgres/");
      List<String> volumes = new ArrayList<>();
      service.path("volumes").forEach(v -> volumes.add(v.asText()));
      assertThat(volumes)
          .as("keys and the audit key survive a recreated container")
          .contains(hub + "-data:/data", hub + "-keys:/keys");
      assertThat(compose.path("volumes").has(hub + "-data")).isTrue();
      assertThat(serve.matchedOptionValue("--data", (java.nio.file.Path) null))
          .hasToString("/data");
      assertThat(serve.matchedOptionValue("--audit-key-dir", (java.nio.file.Path) null))
          .hasToString("/keys");
      assertThat(serve.hasMatchedOption("--no-auth"))
          .as("--no-auth is refused on 0.0.0.0")
          .isFalse();
    }
    assertThat(compose.path("services").path("kafka").path("image").asText())
        .isEqualTo("apache/kafka:4.3.1");
  }
}
