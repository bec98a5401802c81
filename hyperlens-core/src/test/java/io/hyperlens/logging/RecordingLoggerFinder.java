package io.hyperlens.logging;

import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test-only {@link System.LoggerFinder}, registered through {@code META-INF/services}: every {@code
 * System.Logger} of the test JVM records what it logs, so tests can assert what the library logged
 * and how often.
 */
public final class RecordingLoggerFinder extends System.LoggerFinder {
  /** One logged line. */
  public record LogRecord(
      String logger, System.Logger.Level level, String message, Throwable thrown) {}

  private static final List<LogRecord> RECORDS = new CopyOnWriteArrayList<>();

  /** Everything logged with {@code thrown} attached, in order. */
  public static List<LogRecord> recordsFor(Throwable thrown) {
    return RECORDS.stream().filter(r -> r.thrown() == thrown).toList();
  }

  /** Everything logged through the logger named {@code logger}, in order. */
  public static List<LogRecord> recordsFrom(String logger) {
    return RECORDS.stream().filter(r -> r.logger().equals(logger)).toList();
  }

  @Override
  public System.Logger getLogger(String name, Module module) {
    return new System.Logger() {
      @Override
      public String getName() {
        return name;
      }

      @Override
      public boolean isLoggable(Level level) {
        return true;
      }

      @Override
      public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        RECORDS.add(new LogRecord(name, level, msg, thrown));
      }

      @Override
      public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        RECORDS.add(new LogRecord(name, level, format, null));
      }
    };
  }
}
