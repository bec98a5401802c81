package io.hyperlens.server.ingest;

import java.util.List;

/**
 * Posted telemetry refused as a whole, with the HTTP status that says why (400 bad data, 413 too
 * large, 415 wrong content type) and, for bad data, up to {@value #MAX_PROBLEMS} problems. Nothing
 * of a refused batch is stored.
 */
public final class IngestException extends RuntimeException {
  /** The most problems one answer lists. */
  public static final int MAX_PROBLEMS = 100;

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String reason;
  private final transient List<Problem> problems;

  /**
   * A refusal.
   *
   * @param status the HTTP status
   * @param reason a short machine-readable reason ({@code invalid}, {@code too_large}, ...), also
   *     the label of the rejection metric
   * @param message what a person reads
   * @param problems the problems found, at most {@value #MAX_PROBLEMS} kept
   */
  public IngestException(int status, String reason, String message, List<Problem> problems) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.problems =
        List.copyOf(problems.size() > MAX_PROBLEMS ? problems.subList(0, MAX_PROBLEMS) : problems);
  }

  /** A refusal without per-item problems. */
  public IngestException(int status, String reason, String message) {
    this(status, reason, message, List.of());
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The machine-readable reason. */
  public String reason() {
    return reason;
  }

  /** The problems found, at most {@value #MAX_PROBLEMS}. */
  public List<Problem> problems() {
    return problems;
  }
}
