package io.hyperlens.store;

import java.time.Instant;
import java.util.Map;

/**
 * What {@link JdbcStore#searchTraces} looks for; every criterion set must hold. Attribute criteria
 * match a span's attribute rows exactly (string, number and boolean attributes, their value's text
 * up to {@value JdbcStore#MAX_INDEXED_VALUE} characters).
 *
 * @param service a span of the trace has this {@code service.name}, or null
 * @param agent a span carries {@code agent.did} or {@code agent.id} with this value, or null
 * @param session a span carries {@code session.id} with this value, or null
 * @param errors true: at least one span failed; false: none did; null: either
 * @param minDurationMs the trace lasted at least this long (first start to last end), or null
 * @param maxDurationMs the trace lasted at most this long, or null
 * @param since the trace started at or after this, or null
 * @param until the trace started at or before this, or null
 * @param attributes each key's value on some span of the trace (AND); empty for none
 * @param limit the most summaries per page, at least 1
 * @param cursor where the page starts: null, then the previous page's cursor
 */
public record TraceSearch(
    String service,
    String agent,
    String session,
    Boolean errors,
    Double minDurationMs,
    Double maxDurationMs,
    Instant since,
    Instant until,
    Map<String, String> attributes,
    int limit,
    String cursor) {

  /** Copies the attributes and checks the limit. */
  public TraceSearch {
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
  }

  /** Every trace, {@code limit} at a time. */
  public static TraceSearch all(int limit) {
    return new TraceSearch(null, null, null, null, null, null, null, null, Map.of(), limit, null);
  }
}
