package io.hyperlens.trace;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Writes a {@link TraceContext} into W3C {@code traceparent}, {@code tracestate} and {@code
 * baggage} headers and reads it back, so a trace continues across process boundaries.
 *
 * <p>{@link #inject} writes {@code traceparent} as version {@code 00} ({@code
 * 00-{trace-id}-{parent-id}-{flags}}) only when the context has a parent span id, and {@code
 * tracestate} only then and when it is non-empty: without a parent there is no valid parent-id to
 * send. {@code baggage} is written when non-empty, each value percent-encoded as UTF-8; at most 180
 * members and 8192 bytes are sent, and whole members beyond that are left out and counted in {@link
 * PropagationStats#droppedBaggageOnInject()}.
 *
 * <p>{@link #extract} follows W3C Trace Context Level 1 and W3C Baggage and never throws on header
 * content. Header names are matched case-insensitively. A missing {@code traceparent} starts a new
 * trace (random trace id, no parent, sampled); a malformed one does the same, is counted, and the
 * {@code tracestate} is then ignored. An invalid {@code tracestate} next to a valid {@code
 * traceparent} is dropped and counted. Baggage is read whatever the {@code traceparent}: malformed
 * members and members beyond 180 or 8192 bytes are dropped and counted, a repeated key keeps its
 * last value, and member properties ({@code ;key=value} after a value) are checked for syntax and
 * then discarded. Values are percent-decoded as UTF-8: an invalid byte sequence becomes U+FFFD, a
 * {@code +} stays a plus sign and a {@code %} not followed by two hex digits stays as it is.
 *
 * <p>Thread-safe: stateless apart from the process-wide counters behind {@link #stats()}, which are
 * {@link LongAdder}s.
 *
 * <pre>{@code
 * TraceContext context = TraceContext.of(
 *     "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", Map.of("user", "DF 28"));
 *
 * Map<String, String> headers = new HashMap<>();
 * W3CPropagator.inject(context, headers);
 * // traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01, baggage=user=DF%2028
 *
 * HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:8080/run"));
 * W3CPropagator.inject(context, request::header);
 *
 * TraceContext received = W3CPropagator.extract(headers);
 * received.parentSpanId();      // Optional[00f067aa0ba902b7]
 * received.getBaggage("user");  // Optional[DF 28]
 *
 * // In a com.sun.net.httpserver.HttpHandler:
 * // TraceContext incoming = W3CPropagator.extract(exchange.getRequestHeaders()::getFirst);
 * }</pre>
 */
public final class W3CPropagator {
  /** The W3C Trace Context {@code traceparent} header name. */
  public static final String TRACEPARENT = "traceparent";

  /** The W3C Trace Context {@code tracestate} header name. */
  public static final String TRACESTATE = "tracestate";

  /** The W3C {@code baggage} header name. */
  public static final String BAGGAGE = "baggage";

  /** The W3C baggage limit on list-members. */
  static final int MAX_BAGGAGE_MEMBERS = BaggageStore.MAX_ENTRIES;

  /** The W3C baggage limit on the whole header, in bytes. */
  static final int MAX_BAGGAGE_BYTES = 8192;

  private static final int TRACEPARENT_LENGTH = 55;
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();

  private static final LongAdder EXTRACTED = new LongAdder();
  private static final LongAdder MALFORMED_TRACEPARENT = new LongAdder();
  private static final LongAdder MALFORMED_TRACESTATE = new LongAdder();
  private static final LongAdder DROPPED_BAGGAGE_MEMBERS = new LongAdder();
  private static final LongAdder DROPPED_BAGGAGE_ON_INJECT = new LongAdder();

  private W3CPropagator() {}

  /**
   * Writes {@code context}'s headers into {@code carrier} with {@link Map#put}.
   *
   * @throws IllegalArgumentException if {@code context} or {@code carrier} is {@code null}
   */
  public static void inject(TraceContext context, Map<String, String> carrier) {
    if (carrier == null) {
      throw new IllegalArgumentException("carrier must not be null");
    }
    inject(context, (BiConsumer<String, String>) carrier::put);
  }

  /**
   * Writes {@code context}'s headers through {@code setter}, called once per header with the
   * lowercase header name and its value.
   *
   * @throws IllegalArgumentException if {@code context} or {@code setter} is {@code null}
   */
  public static void inject(TraceContext context, BiConsumer<String, String> setter) {
    if (context == null) {
      throw new IllegalArgumentException("context must not be null");
    }
    if (setter == null) {
      throw new IllegalArgumentException("setter must not be null");
    }
    if (context.parentSpanId().isPresent()) {
      setter.accept(TRACEPARENT, traceparent(context));
      Map<String, String> state = context.traceState();
      if (!state.isEmpty()) {
        setter.accept(TRACESTATE, TraceState.format(state));
      }
    }
    String baggage = formatBaggage(context.baggage());
    if (!baggage.isEmpty()) {
      setter.accept(BAGGAGE, baggage);
    }
  }

  /**
   * Reads a context from the headers in {@code carrier}. A header is looked up by its lowercase
   * name first, then by any key equal to it ignoring case.
   *
   * @return the caller's context, or a new trace when {@code traceparent} is missing or malformed;
   *     never {@code null}
   * @throws IllegalArgumentException if {@code carrier} is {@code null}
   */
  public static TraceContext extract(Map<String, String> carrier) {
    if (carrier == null) {
      throw new IllegalArgumentException("carrier must not be null");
    }
    return extract(name -> header(carrier, name));
  }

  /**
   * Reads a context from the headers {@code getter} returns: it is given a lowercase header name
   * and returns the value, or {@code null} when there is none. Case-insensitive lookup is the
   * getter's business.
   *
   * @return the caller's context, or a new trace when {@code traceparent} is missing or malformed;
   *     never {@code null}
   * @throws IllegalArgumentException if {@code getter} is {@code null}
   */
  public static TraceContext extract(Function<String, String> getter) {
    if (getter == null) {
      throw new IllegalArgumentException("getter must not be null");
    }
    EXTRACTED.increment();
    String traceparent = getter.apply(TRACEPARENT);
    Parent parent = traceparent == null ? null : parseTraceparent(traceparent);
    Map<String, String> state = Map.of();
    if (traceparent != null && parent == null) {
      MALFORMED_TRACEPARENT.increment();
    } else if (parent != null) {
      String header = getter.apply(TRACESTATE);
      if (header != null) {
        Map<String, String> parsed = TraceState.parse(header);
        if (parsed == null) {
          MALFORMED_TRACESTATE.increment();
        } else {
          state = parsed;
        }
      }
    }
    BaggageStore baggage = parseBaggage(getter.apply(BAGGAGE));
    if (parent == null) {
      return new TraceContext(
          W3CIds.randomTraceId(), null, TraceContext.FLAG_SAMPLED, Map.of(), baggage);
    }
    return new TraceContext(parent.traceId(), parent.spanId(), parent.flags(), state, baggage);
  }

  /** A snapshot of the process-wide propagation counters. */
  public static PropagationStats stats() {
    return new PropagationStats(
        EXTRACTED.sum(),
        MALFORMED_TRACEPARENT.sum(),
        MALFORMED_TRACESTATE.sum(),
        DROPPED_BAGGAGE_MEMBERS.sum(),
        DROPPED_BAGGAGE_ON_INJECT.sum());
  }

  private static String header(Map<String, String> carrier, String name) {
    String value = carrier.get(name);
    if (value != null) {
      return value;
    }
    for (Map.Entry<String, String> e : carrier.entrySet()) {
      if (name.equalsIgnoreCase(e.getKey()) && e.getValue() != null) {
        return e.getValue();
      }
    }
    return null;
  }

  // ---- traceparent ----

  private static String traceparent(TraceContext context) {
    int flags = context.traceFlags();
    return "00-"
        + context.traceId()
        + '-'
        + context.parentSpanId().orElseThrow()
        + '-'
        + HEX[(flags >> 4) & 0xF]
        + HEX[flags & 0xF];
  }

  /** The fields of a valid {@code traceparent}. */
  private record Parent(String traceId, String spanId, int flags) {}

  /** The parsed header, or {@code null} when it breaks W3C Trace Context Level 1. */
  private static Parent parseTraceparent(String raw) {
    int from = TraceState.skipOws(raw, 0, raw.length());
    int to = TraceState.trimOws(raw, from, raw.length());
    int length = to - from;
    if (length < TRACEPARENT_LENGTH || !HexIds.isLowerHex(raw, from, from + 2)) {
      return null;
    }
    int version = hexValue(raw.charAt(from)) << 4 | hexValue(raw.charAt(from + 1));
    if (version == 0xFF) {
      return null;
    }
    if (version == 0 && length != TRACEPARENT_LENGTH) {
      return null;
    }
    if (length > TRACEPARENT_LENGTH && raw.charAt(from + TRACEPARENT_LENGTH) != '-') {
      return null;
    }
    int traceStart = from + 3;
    int spanStart = traceStart + W3CIds.TRACE_ID_LENGTH + 1;
    int flagsStart = spanStart + W3CIds.SPAN_ID_LENGTH + 1;
    if (raw.charAt(from + 2) != '-'
        || raw.charAt(spanStart - 1) != '-'
        || raw.charAt(flagsStart - 1) != '-'
        || !HexIds.isLowerHex(raw, traceStart, spanStart - 1)
        || !HexIds.isLowerHex(raw, spanStart, flagsStart - 1)
        || !HexIds.isLowerHex(raw, flagsStart, flagsStart + 2)) {
      return null;
    }
    String traceId = raw.substring(traceStart, spanStart - 1);
    String spanId = raw.substring(spanStart, flagsStart - 1);
    if (W3CIds.isAllZero(traceId) || W3CIds.isAllZero(spanId)) {
      return null;
    }
    int flags = hexValue(raw.charAt(flagsStart)) << 4 | hexValue(raw.charAt(flagsStart + 1));
    return new Parent(traceId, spanId, flags);
  }

  /** The value of a hex digit of either case, or -1. */
  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  // ---- baggage ----

  /** {@code baggage-octet}: {@code %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E}. */
  private static boolean isBaggageOctet(int c) {
    return c >= 0x21 && c <= 0x7E && c != '"' && c != ',' && c != ';' && c != '\\';
  }

  private static String formatBaggage(Map<String, String> entries) {
    if (entries.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    int members = 0;
    long dropped = 0;
    for (Map.Entry<String, String> e : entries.entrySet()) {
      if (members == MAX_BAGGAGE_MEMBERS) {
        dropped++;
        continue;
      }
      int mark = out.length();
      if (mark > 0) {
        out.append(',');
      }
      out.append(e.getKey()).append('=');
      percentEncode(e.getValue(), out);
      if (out.length() > MAX_BAGGAGE_BYTES) {
        out.setLength(mark);
        dropped++;
      } else {
        members++;
      }
    }
    if (dropped > 0) {
      DROPPED_BAGGAGE_ON_INJECT.add(dropped);
    }
    return out.toString();
  }

  /** Appends the UTF-8 bytes of {@code value}: baggage-octets other than {@code %} as they are. */
  private static void percentEncode(String value, StringBuilder out) {
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int octet = b & 0xFF;
      if (octet != '%' && isBaggageOctet(octet)) {
        out.append((char) octet);
      } else {
        out.append('%').append(UPPER_HEX[octet >> 4]).append(UPPER_HEX[octet & 0xF]);
      }
    }
  }

  private static BaggageStore parseBaggage(String header) {
    BaggageStore store = new BaggageStore();
    if (header == null) {
      return store;
    }
    LinkedHashMap<String, String> accepted = new LinkedHashMap<>();
    int bytes = 0;
    long dropped = 0;
    int length = header.length();
    int start = 0;
    while (start <= length) {
      int end = TraceState.indexOf(header, ',', start, length);
      int from = TraceState.skipOws(header, start, end);
      int to = TraceState.trimOws(header, from, end);
      start = end + 1;
      if (from == to) {
        continue;
      }
      int equals = TraceState.indexOf(header, '=', from, to);
      int valueEnd = TraceState.indexOf(header, ';', from, to);
      if (equals >= valueEnd) {
        dropped++;
        continue;
      }
      String key = header.substring(from, TraceState.trimOws(header, from, equals));
      int valueFrom = TraceState.skipOws(header, equals + 1, valueEnd);
      int valueTo = TraceState.trimOws(header, valueFrom, valueEnd);
      if (!BaggageStore.isToken(key)
          || !allBaggageOctets(header, valueFrom, valueTo)
          || !validProperties(header, valueEnd, to)) {
        dropped++;
        continue;
      }
      // Accepted members are ASCII, so characters are bytes.
      int size = (bytes == 0 ? 0 : 1) + (to - from);
      boolean fits = accepted.size() < MAX_BAGGAGE_MEMBERS || accepted.containsKey(key);
      if (!fits || bytes + size > MAX_BAGGAGE_BYTES) {
        dropped++;
        continue;
      }
      bytes += size;
      accepted.put(key, percentDecode(header, valueFrom, valueTo));
    }
    if (dropped > 0) {
      DROPPED_BAGGAGE_MEMBERS.add(dropped);
    }
    accepted.forEach(store::put);
    return store;
  }

  /**
   * Whether {@code s[from, to)} is empty or a run of {@code OWS ";" OWS property}, where {@code
   * property = key OWS "=" OWS value / key OWS}.
   */
  private static boolean validProperties(String s, int from, int to) {
    int start = from;
    while (start < to) {
      // s.charAt(start) is ';'
      int end = TraceState.indexOf(s, ';', start + 1, to);
      int propFrom = TraceState.skipOws(s, start + 1, end);
      int propTo = TraceState.trimOws(s, propFrom, end);
      int equals = TraceState.indexOf(s, '=', propFrom, propTo);
      String key = s.substring(propFrom, TraceState.trimOws(s, propFrom, equals));
      if (!BaggageStore.isToken(key)) {
        return false;
      }
      if (equals < propTo) {
        int valueFrom = TraceState.skipOws(s, equals + 1, propTo);
        if (!allBaggageOctets(s, valueFrom, propTo)) {
          return false;
        }
      }
      start = end;
    }
    return true;
  }

  private static boolean allBaggageOctets(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!isBaggageOctet(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Decodes {@code %XX} escapes in {@code s[from, to)}, a run of baggage-octets, as UTF-8. */
  private static String percentDecode(String s, int from, int to) {
    int percent = TraceState.indexOf(s, '%', from, to);
    if (percent == to) {
      return s.substring(from, to);
    }
    byte[] bytes = new byte[to - from];
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < to) {
        int high = hexValue(s.charAt(i + 1));
        int low = hexValue(s.charAt(i + 2));
        if (high >= 0 && low >= 0) {
          bytes[n++] = (byte) (high << 4 | low);
          i += 2;
          continue;
        }
      }
      bytes[n++] = (byte) c;
    }
    // The String constructor replaces malformed UTF-8 with U+FFFD.
    return new String(bytes, 0, n, StandardCharsets.UTF_8);
  }
}
