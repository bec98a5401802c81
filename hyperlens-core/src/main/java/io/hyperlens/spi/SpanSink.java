package io.hyperlens.spi;

import io.hyperlens.saga.SagaSpanRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Where finished saga spans go in real time, without depending on a tracing library: the seed's
 * {@code SpanSink} protocol in Java. {@code hyperlens-otel} bridges it to OpenTelemetry; a test or
 * a custom store can implement it directly.
 *
 * <p>Threading: called on the thread that emitted the event closing the span, one span at a time
 * per exporter, after the span has been buffered. Implementations should return quickly and hand
 * slow work to their own executor. An exception thrown here is caught and counted; the span stays
 * buffered and the emitter never sees the failure.
 *
 * <pre>{@code
 * SpanSink printing =
 *     (name, start, end, attributes, status) ->
 *         System.out.printf(
 *             "-> %s [%s] %dms%n", name, status, Duration.between(start, end).toMillis());
 * exporter.attachSink(printing);
 * }</pre>
 */
@FunctionalInterface
public interface SpanSink {
  /**
   * Records one finished span.
   *
   * @param status {@code "ok"}, {@code "error"} or {@code "compensating"}
   * @param attributes the span's attributes, unmodifiable, in a stable order
   */
  void recordSpan(
      String name, Instant start, Instant end, Map<String, String> attributes, String status);

  /**
   * Records one finished saga span with its W3C ids (trace, span, parent), so a tracing bridge can
   * put steps under their saga and the saga under the agent span that ran it. {@link
   * io.hyperlens.saga.SagaSpanExporter} calls this form; the default forwards to the seed's {@link
   * #recordSpan(String, Instant, Instant, Map, String)}, so a sink that needs only the seed's
   * protocol implements that alone.
   */
  default void recordSpan(SagaSpanRecord span) {
    recordSpan(span.name(), span.start(), span.end(), span.attributes(), span.status());
  }

  /** A sink that drops everything. */
  static SpanSink noop() {
    return (name, start, end, attributes, status) -> {};
  }

  /**
   * A sink that forwards each span to every one of {@code sinks} in order; one that throws does not
   * stop the others, and the first failure is rethrown after all have been called.
   */
  static SpanSink composite(SpanSink... sinks) {
    List<SpanSink> all = List.of(sinks);
    return new SpanSink() {
      @Override
      public void recordSpan(
          String name, Instant start, Instant end, Map<String, String> attributes, String status) {
        FanOut.callEach(all, sink -> sink.recordSpan(name, start, end, attributes, status));
      }

      @Override
      public void recordSpan(SagaSpanRecord span) {
        FanOut.callEach(all, sink -> sink.recordSpan(span));
      }
    };
  }
}
