package io.hyperlens.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.logstash.logback.composite.JsonProviders;
import net.logstash.logback.composite.loggingevent.ArgumentsJsonProvider;
import net.logstash.logback.composite.loggingevent.KeyValuePairsJsonProvider;
import net.logstash.logback.composite.loggingevent.LogLevelJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggerNameJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventFormattedTimestampJsonProvider;
import net.logstash.logback.composite.loggingevent.MdcJsonProvider;
import net.logstash.logback.composite.loggingevent.MessageJsonProvider;
import net.logstash.logback.composite.loggingevent.StackTraceJsonProvider;
import net.logstash.logback.encoder.LoggingEventCompositeJsonEncoder;
import org.slf4j.LoggerFactory;

/**
 * Sets Logback up from a {@link LoggingConfig}, programmatically: the seed's {@code
 * configure_logging(config)}. No XML is needed; a {@code logback.xml} the application brings keeps
 * working until this is called, and can use the same pieces ({@link
 * RedactingJsonGeneratorDecorator} as the encoder's {@code jsonGeneratorDecorator}, {@link
 * SecretMasker}, {@link RedactingPatternLayout}, {@link TraceIdMdcFilter}).
 *
 * <p>A JSON line has {@code timestamp} (ISO-8601 UTC, milliseconds), {@code level}, {@code
 * message}, {@code logger}, every key-value pair ({@code log.atInfo().addKeyValue("agent_id", id)})
 * and structured argument, the MDC (with {@code trace_id} and {@code span_id} inside a span), and
 * {@code stack_trace} when there is an exception. A text line is {@code timestamp level [thread]
 * logger - message key=value... {mdc}} with the stack trace below.
 *
 * <pre>{@code
 * Logging.configure(LoggingConfig.builder().format("json").build());
 * LoggerFactory.getLogger("agent").atInfo()
 *     .addKeyValue("agent_id", "agent-001")
 *     .addKeyValue("decision", "allow")
 *     .log("Action executed");
 * }</pre>
 */
public final class Logging {
  static final String TIMESTAMP_PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'";
  private static final String TEXT_PATTERN =
      "%d{" + TIMESTAMP_PATTERN + ",UTC} %-5level [%thread] %logger{36} - %msg %kvp %mdc%n%ex";

  private Logging() {}

  /**
   * Replaces the Logback configuration of this process with what {@code config} says.
   *
   * @throws IllegalArgumentException when {@code config} is null
   * @throws IllegalStateException when SLF4J is not bound to Logback
   * @throws UncheckedIOException when the log file's directory cannot be created
   */
  public static void configure(LoggingConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("config must not be null");
    }
    LoggerContext context = context();
    if (config.filePath() != null && !config.output().equals("stdout")) {
      Path parent = config.filePath().toAbsolutePath().getParent();
      try {
        Files.createDirectories(parent);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create the log directory " + parent, e);
      }
    }
    context.reset();
    List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
    if (!config.output().equals("file")) {
      ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
      console.setName("hyperlens-stdout");
      console.setContext(context);
      console.setEncoder(encoder(context, config));
      appenders.add(console);
    }
    if (!config.output().equals("stdout")) {
      FileAppender<ILoggingEvent> file = new FileAppender<>();
      file.setName("hyperlens-file");
      file.setContext(context);
      file.setFile(config.filePath().toString());
      file.setAppend(true);
      file.setEncoder(encoder(context, config));
      appenders.add(file);
    }
    if (config.includeTraceIds()) {
      TraceIdMdcFilter traceIds = new TraceIdMdcFilter();
      traceIds.setContext(context);
      traceIds.start();
      context.addTurboFilter(traceIds);
    }
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(level(config.level()));
    for (Appender<ILoggingEvent> appender : appenders) {
      appender.start();
      root.addAppender(appender);
    }
  }

  /** Flushes and stops every appender; logging is off until {@link #configure} runs again. */
  public static void shutdown() {
    context().stop();
  }

  private static LoggerContext context() {
    Object factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext)) {
      throw new IllegalStateException(
          "SLF4J is bound to " + factory.getClass().getName() + ", not Logback");
    }
    return (LoggerContext) factory;
  }

  static Level level(String level) {
    return level.equals("WARNING") ? Level.WARN : Level.toLevel(level);
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext context, LoggingConfig config) {
    if (config.format().equals("text")) {
      PatternLayout layout =
          config.redactSecrets() ? new RedactingPatternLayout() : new PatternLayout();
      layout.setContext(context);
      layout.setPattern(TEXT_PATTERN);
      layout.start();
      LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
      encoder.setContext(context);
      encoder.setLayout(layout);
      encoder.start();
      return encoder;
    }
    LoggingEventCompositeJsonEncoder encoder = new LoggingEventCompositeJsonEncoder();
    encoder.setContext(context);
    JsonProviders<ILoggingEvent> providers = encoder.getProviders();
    LoggingEventFormattedTimestampJsonProvider timestamp =
        new LoggingEventFormattedTimestampJsonProvider();
    timestamp.setFieldName("timestamp");
    timestamp.setPattern(TIMESTAMP_PATTERN);
    timestamp.setTimeZone("UTC");
    providers.addProvider(timestamp);
    LogLevelJsonProvider level = new LogLevelJsonProvider();
    level.setFieldName("level");
    providers.addProvider(level);
    MessageJsonProvider message = new MessageJsonProvider();
    message.setFieldName("message");
    providers.addProvider(message);
    LoggerNameJsonProvider logger = new LoggerNameJsonProvider();
    logger.setFieldName("logger");
    providers.addProvider(logger);
    providers.addProvider(new KeyValuePairsJsonProvider());
    ArgumentsJsonProvider arguments = new ArgumentsJsonProvider();
    providers.addProvider(arguments);
    providers.addProvider(new MdcJsonProvider());
    StackTraceJsonProvider stackTrace = new StackTraceJsonProvider();
    stackTrace.setFieldName("stack_trace");
    providers.addProvider(stackTrace);
    if (config.redactSecrets()) {
      encoder.setJsonGeneratorDecorator(new RedactingJsonGeneratorDecorator());
    }
    encoder.start();
    return encoder;
  }
}
