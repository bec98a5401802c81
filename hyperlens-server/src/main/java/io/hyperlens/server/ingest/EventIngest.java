package io.hyperlens.server.ingest;

import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.redact.Redactor;
import io.hyperlens.store.JdbcStore;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * {@code POST /v1/events}: a JSON array or NDJSON of events in the {@link HypervisorEvent#toMap()}
 * shape, the keys the Python hypervisor's {@code to_dict()} writes, validated all or nothing and
 * stored before the answer. Fields: {@code event_id} (required; its id makes a retried batch
 * idempotent), {@code event_type} (required, a known dotted value), {@code timestamp} (required,
 * ISO-8601; without an offset it is UTC), {@code session_id}, {@code agent_did}, {@code
 * causal_trace_id}, {@code parent_event_id} (strings or null) and {@code payload} (an object or
 * null); other keys are ignored, and a key given twice is malformed JSON. Payload strings longer
 * than the limit are cut and the payload marked {@code hyperlens.truncated=true}; with redaction
 * on, every payload string passes through {@link Redactor} (the whole value when its key names a
 * secret). Thread-safe; usable without HTTP.
 *
 * <pre>{@code
 * EventIngest ingest = new EventIngest(store, IngestLimits.defaults(), true);
 * EventIngest.Result result = ingest.ingest(body, "application/x-ndjson");
 * }</pre>
 */
public final class EventIngest {
  /** NDJSON's media type. */
  public static final String NDJSON = "application/x-ndjson";

  /**
   * What a batch did to the store.
   *
   * @param accepted events newly stored
   * @param duplicates events whose id was stored before (a retry), not stored again
   */
  public record Result(int accepted, int duplicates) {}

  private final GroupCommit commits;
  private final Consumer<List<HypervisorEvent>> committed;
  private final EventReader reader;
  private final LongAdder redacted = new LongAdder();
  private final LongAdder truncated = new LongAdder();

  /**
   * An ingest into {@code store}.
   *
   * @param redact whether payload strings pass through {@link Redactor#standard()}
   */
  public EventIngest(JdbcStore store, IngestLimits limits, boolean redact) {
    this(store, limits, redact, committed -> {});
  }

  /**
   * An ingest into {@code store} that hands each committed batch to {@code committed} (the live
   * stream): all of it when every event was new, none of it when all were duplicates, all of it
   * when only some were (a retry of a batch partly stored before; the store does not say which). It
   * runs on the request's thread and must not block.
   */
  public EventIngest(
      JdbcStore store,
      IngestLimits limits,
      boolean redact,
      Consumer<List<HypervisorEvent>> committed) {
    this.committed = committed;
    this.commits = new GroupCommit(store, Math.max(limits.maxEventsPerBatch(), 10_000));
    this.reader = new EventReader(limits, redact ? Redactor.standard() : null, redacted, truncated);
  }

  /** Payload strings changed by redaction so far. */
  public long redactedValues() {
    return redacted.sum();
  }

  /** Payload strings cut at the value limit so far. */
  public long truncatedValues() {
    return truncated.sum();
  }

  /**
   * Validates and stores a batch; returns once it is committed.
   *
   * @param body the decoded body
   * @param contentType its media type ({@code application/json} or {@value #NDJSON}, parameters
   *     allowed)
   * @throws IngestException 400 with the problems, 413 over the batch limit, 415 for another type
   */
  public Result ingest(byte[] body, String contentType) {
    return store(read(body, contentType));
  }

  /**
   * Validates a batch (and redacts and cuts it, as {@link #ingest} would) without storing it: for a
   * hub that hands it to Kafka, or reads it from there.
   *
   * @throws IngestException as {@link #ingest} does
   */
  public List<HypervisorEvent> read(byte[] body, String contentType) {
    String mediaType = mediaType(contentType);
    if (!mediaType.equals("application/json") && !mediaType.equals(NDJSON)) {
      throw new IngestException(
          415,
          "unsupported_media_type",
          "Content-Type \""
              + mediaType
              + "\" is not accepted; send application/json (an array) or "
              + NDJSON);
    }
    return reader.read(body, mediaType.equals(NDJSON));
  }

  /**
   * Stores events {@link #read} returned, committed with whatever other requests are committing,
   * and hands them to the live stream.
   *
   * @throws IngestException 400 when the store refuses the batch
   */
  public Result store(List<HypervisorEvent> events) {
    int stored;
    try {
      stored = commits.append(events);
    } catch (IllegalArgumentException e) {
      throw new IngestException(
          400, "invalid", "the store refused the batch: " + e.getMessage(), List.of());
    }
    if (stored > 0) {
      committed.accept(events);
    }
    return new Result(stored, events.size() - stored);
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
        .trim()
        .toLowerCase(Locale.ROOT);
  }
}
