package io.hyperlens.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.hyperlens.logging.RedactingJsonGeneratorDecorator;
import io.hyperlens.logging.SecretMasker;
import io.hyperlens.redact.Redactor;
import java.util.concurrent.TimeUnit;
import net.logstash.logback.composite.loggingevent.KeyValuePairsJsonProvider;
import net.logstash.logback.composite.loggingevent.LogLevelJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventFormattedTimestampJsonProvider;
import net.logstash.logback.composite.loggingevent.MessageJsonProvider;
import net.logstash.logback.decorate.JsonGeneratorDecorator;
import net.logstash.logback.encoder.LoggingEventCompositeJsonEncoder;
import net.logstash.logback.mask.MaskingJsonGeneratorDecorator;
import net.logstash.logback.mask.ValueMasker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.slf4j.event.KeyValuePair;

/**
 * What redaction costs on a log line: the same event (a 60-character message and four key-value
 * pairs, no secret in it, the common case) encoded to JSON by logstash-logback-encoder alone and
 * with Hyperlens's {@link SecretMasker}; and {@link Redactor} on its own over a clean message and
 * over one holding a bearer token.
 */
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LoggingBenchmark {
  static final String CLEAN = "Action executed for agent-001 on table users in 5.2 ms, allow";
  static final String SECRET = "Action executed with Bearer abc123def456ghi789jkl012 for agent";

  LoggingEventCompositeJsonEncoder plain;
  LoggingEventCompositeJsonEncoder redacting;
  LoggingEventCompositeJsonEncoder noOpMasking;
  LoggingEventCompositeJsonEncoder redactingDecorator;
  LoggingEvent event;
  final Redactor redactor = Redactor.standard();

  @Setup
  public void setUp() {
    LoggerContext context = new LoggerContext();
    plain = encoder(context, null);
    redacting = encoder(context, masking(new SecretMasker()));
    noOpMasking = encoder(context, masking((path, value) -> null));
    redactingDecorator = encoder(context, new RedactingJsonGeneratorDecorator());
    Logger logger = context.getLogger("agent");
    event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, CLEAN, null, null);
    event.addKeyValuePair(new KeyValuePair("agent_id", "agent-001"));
    event.addKeyValuePair(new KeyValuePair("action", "sql"));
    event.addKeyValuePair(new KeyValuePair("resource", "SELECT * FROM users"));
    event.addKeyValuePair(new KeyValuePair("decision", "allow"));
    if (!new String(redacting.encode(event)).equals(new String(plain.encode(event)))
        || !new String(redactingDecorator.encode(event)).equals(new String(plain.encode(event)))) {
      throw new IllegalStateException(
          "a clean event must encode the same with and without masking");
    }
  }

  private static JsonGeneratorDecorator masking(ValueMasker masker) {
    MaskingJsonGeneratorDecorator masking = new MaskingJsonGeneratorDecorator();
    masking.addValueMasker(masker);
    masking.start();
    return masking;
  }

  private static LoggingEventCompositeJsonEncoder encoder(
      LoggerContext context, JsonGeneratorDecorator decorator) {
    LoggingEventCompositeJsonEncoder encoder = new LoggingEventCompositeJsonEncoder();
    encoder.setContext(context);
    LoggingEventFormattedTimestampJsonProvider timestamp =
        new LoggingEventFormattedTimestampJsonProvider();
    timestamp.setFieldName("timestamp");
    encoder.getProviders().addProvider(timestamp);
    encoder.getProviders().addProvider(new LogLevelJsonProvider());
    encoder.getProviders().addProvider(new MessageJsonProvider());
    encoder.getProviders().addProvider(new KeyValuePairsJsonProvider());
    if (decorator != null) {
      encoder.setJsonGeneratorDecorator(decorator);
    }
    encoder.start();
    return encoder;
  }

  @Benchmark
  public byte[] jsonLogstashEncoder() {
    return plain.encode(event);
  }

  @Benchmark
  public byte[] jsonWithSecretMasker() {
    return redacting.encode(event);
  }

  /** What {@code Logging.configure} installs: {@link RedactingJsonGeneratorDecorator}. */
  @Benchmark
  public byte[] jsonWithRedactingDecorator() {
    return redactingDecorator.encode(event);
  }

  /** The masking decorator with a masker that changes nothing: what the decorator itself costs. */
  @Benchmark
  public byte[] jsonWithNoOpMasker() {
    return noOpMasking.encode(event);
  }

  @Benchmark
  public String redactCleanMessage() {
    return redactor.redact(CLEAN);
  }

  @Benchmark
  public String redactMessageWithToken() {
    return redactor.redact(SECRET);
  }
}
