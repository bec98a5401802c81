package io.hyperlens.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.kafka.KafkaTopics;
import io.hyperlens.server.kafka.HubKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code serve}'s Kafka options refuse what cannot work, naming the option and the value. */
class ServeKafkaOptionsTest {
  @TempDir Path work;
  private final StringWriter err = new StringWriter();

  private int serve(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "serve";
    all[1] = "--data";
    all[2] = work.resolve("data").toString();
    System.arraycopy(args, 0, all, 3, args.length);
    return new CommandLine(new HyperlensCommand())
        .setOut(new PrintWriter(new StringWriter(), true))
        .setErr(new PrintWriter(err, true))
        .execute(all);
  }

  @Test
  void badKafkaOptionsAreRefusedBeforeAnythingStarts() {
    assertThat(serve("--ingest-to-kafka")).isEqualTo(2);
    assertThat(err.toString()).contains("serve: --ingest-to-kafka needs --kafka BOOTSTRAP");
    assertThat(serve("--kafka", "localhost")).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "serve: --kafka must name the brokers as host:port[,host:port...] with ports 1 to"
                + " 65535, got \"localhost\"");
    assertThat(serve("--kafka", "h:9092", "--events-topic", "a b")).isEqualTo(2);
    assertThat(err.toString())
        .contains("serve: --events-topic/--spans-topic: events must be a Kafka topic name")
        .contains("got \"a b\"");
    assertThat(serve("--kafka", "h:9092", "--group", " ")).isEqualTo(2);
    assertThat(err.toString()).contains("serve: --group must not be blank");
    assertThat(serve("--kafka", "127.0.0.1:abc")).isEqualTo(2);
    assertThat(err.toString()).contains("got \"127.0.0.1:abc\"");
    assertThat(serve("--kafka", "h:0")).isEqualTo(2);
    assertThat(err.toString()).contains("ports 1 to 65535, got \"h:0\"");
    assertThat(serve("--kafka", ":")).isEqualTo(2);
    assertThat(serve("--group", "mine")).isEqualTo(2);
    assertThat(err.toString()).contains("serve: --group needs --kafka BOOTSTRAP");
    assertThat(serve("--events-topic", "bad topic")).isEqualTo(2);
    assertThat(err.toString()).contains("serve: --events-topic needs --kafka BOOTSTRAP");
    assertThat(work.resolve("data")).doesNotExist(); // nothing was started or created
  }

  @Test
  void settingsValidateThemselves() {
    assertThat(HubKafka.of("h:1"))
        .isEqualTo(
            new HubKafka(
                "h:1",
                "hyperlens-hub",
                KafkaTopics.DEFAULT,
                false,
                HubKafka.DEFAULT_PUBLISH_TIMEOUT));
    assertThatThrownBy(
            () ->
                new HubKafka(
                    null, "g", KafkaTopics.DEFAULT, false, HubKafka.DEFAULT_PUBLISH_TIMEOUT))
        .hasMessageEndingWith("got nothing");
    assertThatThrownBy(
            () ->
                new HubKafka(
                    " ", "g", KafkaTopics.DEFAULT, false, HubKafka.DEFAULT_PUBLISH_TIMEOUT))
        .hasMessageContaining("--kafka");
    assertThatThrownBy(
            () ->
                new HubKafka(
                    "h:1", null, KafkaTopics.DEFAULT, false, HubKafka.DEFAULT_PUBLISH_TIMEOUT))
        .hasMessageContaining("--group");
    assertThatThrownBy(
            () -> new HubKafka("h:1", "g", null, false, HubKafka.DEFAULT_PUBLISH_TIMEOUT))
        .hasMessageContaining("topics");
    Duration second = Duration.ofSeconds(1);
    assertThat(new HubKafka("[::1]:9092,b:1", "g", KafkaTopics.DEFAULT, false, second).bootstrap())
        .isEqualTo("[::1]:9092,b:1");
    assertThatThrownBy(() -> new HubKafka("h:1,", "g", KafkaTopics.DEFAULT, false, second))
        .hasMessageContaining("got \"h:1,\"");
    assertThatThrownBy(() -> new HubKafka("h:1", "g", KafkaTopics.DEFAULT, false, Duration.ZERO))
        .hasMessage("--kafka-timeout must be positive and at most 10 minutes, got PT0S");
    assertThatThrownBy(() -> new HubKafka("h:1", "g", KafkaTopics.DEFAULT, false, null))
        .hasMessage("--kafka-timeout must be positive and at most 10 minutes, got null");
  }
}
