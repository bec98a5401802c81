package io.hyperlens.server.cli;

import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * While a command runs, warnings logged through {@code java.util.logging} (the OpenTelemetry
 * exporters', the export queues') become one line each per kind of failure, named by its root
 * cause, instead of a stack trace per batch; later ones of the same kind are only counted. Closing
 * puts the previous handlers back.
 */
final class FailureLines extends Handler implements AutoCloseable {
  /**
   * OpenTelemetry's exporters and the export queues log from their own threads, some after the
   * exporter was shut down: these loggers keep sending to the last {@code FailureLines}, which
   * prints only kinds not seen before. Held here so the loggers and their handler are not
   * collected.
   */
  private static final List<Logger> EXPORT_LOGGERS =
      List.of(Logger.getLogger("io.opentelemetry"), Logger.getLogger("io.hyperlens.spi"));

  private final PrintWriter err;
  private final Logger root = LogManager.getLogManager().getLogger("");
  private final Handler[] previous;
  private final Set<String> seen = new HashSet<>();
  private int repeats;
  private String firstCause;
  private boolean nothingAnswered;

  private FailureLines(PrintWriter err) {
    this.err = err;
    this.previous = root.getHandlers();
    setLevel(Level.WARNING);
  }

  /** Starts collapsing warnings into {@code err}. */
  static FailureLines install(PrintWriter err) {
    FailureLines lines = new FailureLines(err);
    for (Handler handler : lines.previous) {
      lines.root.removeHandler(handler);
    }
    lines.root.addHandler(lines);
    for (Logger logger : EXPORT_LOGGERS) {
      for (Handler handler : logger.getHandlers()) {
        logger.removeHandler(handler);
      }
      logger.addHandler(lines);
      logger.setUseParentHandlers(false);
    }
    return lines;
  }

  /** Notes that nothing answered where spans go, found before any export failed. */
  synchronized void nothingAnswers() {
    nothingAnswered = true;
  }

  @Override
  public synchronized void publish(LogRecord record) {
    if (record == null || record.getLevel().intValue() < Level.WARNING.intValue()) {
      return;
    }
    Throwable cause = record.getThrown();
    while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    if (cause instanceof ConnectException || cause instanceof UnknownHostException) {
      nothingAnswered = true;
    }
    String line =
        cause != null
            ? cause.getClass().getSimpleName() + ": " + cause.getMessage()
            : firstLine(record.getMessage());
    if (firstCause == null && cause != null) {
      firstCause = line;
    }
    if (!seen.add(line.replaceAll("[0-9]+", "#"))) {
      repeats++;
      return;
    }
    err.println("hyperlens: " + line + " (repeats are counted, not printed)");
    err.flush();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** Whether a failure was that nothing answered: a refused connection or an unknown host. */
  synchronized boolean nothingAnswered() {
    return nothingAnswered;
  }

  /** The root cause of the first failure, or null when none had one. */
  synchronized String firstCause() {
    return firstCause;
  }

  /** Warnings of a kind already printed. */
  synchronized int repeats() {
    return repeats;
  }

  @Override
  public void flush() {
    err.flush();
  }

  /** Puts the previous handlers back (the export loggers stay collapsed; see above). */
  @Override
  public void close() {
    root.removeHandler(this);
    for (Handler handler : previous) {
      root.addHandler(handler);
    }
  }
}
