package io.hyperlens.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration when the application brings none (no {@code logback.xml}, no {@code
 * logback-test.xml}, no {@code -Dlogback.configurationFile}) and has not called {@link
 * Logging#configure}: INFO and above to standard output, secrets redacted, instead of Logback's own
 * default of everything at DEBUG (a PDF report alone then prints hundreds of PDFBox lines). Found
 * by Logback through {@link java.util.ServiceLoader}; an application's configuration file always
 * wins, and {@link Logging#configure} replaces this at any time.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_LOW_PRIORITY)
public final class DefaultConfigurator extends ContextAwareBase implements Configurator {
  /** The files and property Logback's own configurator looks for. */
  static final String[] CONFIG_FILES = {"logback-test.xml", "logback.xml"};

  static final String CONFIG_PROPERTY = "logback.configurationFile";

  /** Logback calls it; there is nothing to configure by hand. */
  public DefaultConfigurator() {}

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (applicationConfigured(Thread.currentThread().getContextClassLoader())) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY; // Logback reads the application's file
    }
    RedactingPatternLayout layout = new RedactingPatternLayout();
    layout.setContext(context);
    layout.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n%ex");
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("hyperlens-default");
    console.setEncoder(encoder);
    console.start();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(console);
    // PDFBox warns, once per font, that it measures the standard PDF fonts with a system font:
    // harmless for reports, which embed nothing and render nothing
    context.getLogger("org.apache.pdfbox.pdmodel.font.PDType1Font").setLevel(Level.ERROR);
    // Jetty and Javalin narrate every start and stop at INFO: a hub's console shows its own lines
    // and their warnings
    context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
    context.getLogger("io.javalin").setLevel(Level.WARN);
    // Kafka's clients print every setting of every client they make at INFO
    context.getLogger("org.apache.kafka").setLevel(Level.WARN);
    context.getLogger("kafka").setLevel(Level.WARN);
    // while a broker is away its clients warn of every failed connection, ten times a second
    context.getLogger("org.apache.kafka.clients.NetworkClient").setLevel(Level.ERROR);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Whether the application configures Logback itself, as Logback would find it. */
  static boolean applicationConfigured(ClassLoader loader) {
    if (System.getProperty(CONFIG_PROPERTY) != null) {
      return true;
    }
    ClassLoader search = loader != null ? loader : DefaultConfigurator.class.getClassLoader();
    for (String file : CONFIG_FILES) {
      if (search.getResource(file) != null) {
        return true;
      }
    }
    return false;
  }
}
