package io.hyperlens.logging;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How {@link Logging#configure} sets Logback up: the seed's {@code LoggingConfig}. Immutable; every
 * setter checks its value and names the field and the value when it is wrong.
 *
 * <pre>{@code
 * LoggingConfig config =
 *     LoggingConfig.builder()
 *         .level("INFO") // DEBUG | INFO | WARNING | ERROR
 *         .format("json") // json | text
 *         .output("stdout") // stdout | file | both
 *         .filePath("/var/log/agent-os/agent.log")
 *         .includeTraceIds(true)
 *         .redactSecrets(true)
 *         .build();
 * }</pre>
 *
 * @param level {@code DEBUG}, {@code INFO}, {@code WARNING} (Logback's {@code WARN}) or {@code
 *     ERROR}
 * @param format {@code json} or {@code text}
 * @param output {@code stdout}, {@code file} or {@code both}
 * @param filePath the log file, required for {@code file} and {@code both}, else null
 * @param includeTraceIds put the current span's {@code trace_id} and {@code span_id} on each line
 * @param redactSecrets replace secrets with {@code [REDACTED:<kind>]}, in both formats
 */
public record LoggingConfig(
    String level,
    String format,
    String output,
    Path filePath,
    boolean includeTraceIds,
    boolean redactSecrets) {

  /**
   * Checks the combination.
   *
   * @throws IllegalArgumentException naming the field and the value when one is invalid
   */
  public LoggingConfig {
    level = oneOf("level", level, "DEBUG", "INFO", "WARNING", "ERROR");
    format = oneOf("format", format, "json", "text");
    output = oneOf("output", output, "stdout", "file", "both");
    if (!output.equals("stdout") && filePath == null) {
      throw new IllegalArgumentException("filePath is required for output " + output);
    }
  }

  /** A builder with the defaults: INFO, json, stdout, trace ids on, redaction on. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults; see {@link #builder()}. */
  public static LoggingConfig defaults() {
    return builder().build();
  }

  private static String oneOf(String field, String value, String... allowed) {
    if (value != null) {
      String normalized = value.trim();
      if (field.equals("level")) {
        normalized = normalized.toUpperCase(Locale.ROOT);
        if (normalized.equals("WARN")) {
          normalized = "WARNING";
        }
      } else {
        normalized = normalized.toLowerCase(Locale.ROOT);
      }
      for (String candidate : allowed) {
        if (candidate.equals(normalized)) {
          return candidate;
        }
      }
    }
    throw new IllegalArgumentException(
        field
            + " must be one of "
            + String.join(", ", allowed)
            + ", got "
            + (value == null ? "null" : '"' + value + '"'));
  }

  /**
   * Builds a {@link LoggingConfig}.
   *
   * <p>Not thread-safe; build on one thread.
   */
  public static final class Builder {
    private String level = "INFO";
    private String format = "json";
    private String output = "stdout";
    private Path filePath;
    private boolean includeTraceIds = true;
    private boolean redactSecrets = true;

    private Builder() {}

    /** {@code DEBUG}, {@code INFO}, {@code WARNING} or {@code ERROR}; default INFO. */
    public Builder level(String level) {
      this.level = oneOf("level", level, "DEBUG", "INFO", "WARNING", "ERROR");
      return this;
    }

    /** {@code json} (default) or {@code text}. */
    public Builder format(String format) {
      this.format = oneOf("format", format, "json", "text");
      return this;
    }

    /** {@code stdout} (default), {@code file} or {@code both}. */
    public Builder output(String output) {
      this.output = oneOf("output", output, "stdout", "file", "both");
      return this;
    }

    /** The log file for {@code file} and {@code both}; its directory is created if missing. */
    public Builder filePath(String filePath) {
      try {
        this.filePath = filePath == null ? null : Path.of(filePath);
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException(
            "filePath is not a valid path, got \"" + filePath + "\"", e);
      }
      return this;
    }

    /** The log file for {@code file} and {@code both}. */
    public Builder filePath(Path filePath) {
      this.filePath = filePath;
      return this;
    }

    /** Whether lines carry the current span's ids; default true. */
    public Builder includeTraceIds(boolean includeTraceIds) {
      this.includeTraceIds = includeTraceIds;
      return this;
    }

    /** Whether secrets are redacted; default true. */
    public Builder redactSecrets(boolean redactSecrets) {
      this.redactSecrets = redactSecrets;
      return this;
    }

    /**
     * The config.
     *
     * @throws IllegalArgumentException when a file output has no path
     */
    public LoggingConfig build() {
      return new LoggingConfig(level, format, output, filePath, includeTraceIds, redactSecrets);
    }
  }
}
