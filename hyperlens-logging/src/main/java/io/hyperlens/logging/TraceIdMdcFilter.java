package io.hyperlens.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.hyperlens.trace.Context;
import io.hyperlens.trace.Span;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Puts the current {@code DistributedTracer} span's ids into the MDC as {@code trace_id} and {@code
 * span_id} for every log call, and takes them out when no span is current: trace ids on each line
 * with no code at the call site. It runs as a Logback turbo filter, on the logging thread before
 * the event is made, so asynchronous appenders see the ids of the thread that logged. It never
 * filters: it always answers {@code NEUTRAL}.
 *
 * <p>Usable from {@code logback.xml}: {@code <turboFilter
 * class="io.hyperlens.logging.TraceIdMdcFilter"/>}.
 */
public class TraceIdMdcFilter extends TurboFilter {
  /** The MDC key of the trace id (32 hex). */
  public static final String TRACE_ID = "trace_id";

  /** The MDC key of the span id (16 hex). */
  public static final String SPAN_ID = "span_id";

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    Span span = Context.current().span().orElse(null);
    if (span == null) {
      if (MDC.get(TRACE_ID) != null) {
        MDC.remove(TRACE_ID);
        MDC.remove(SPAN_ID);
      }
    } else if (!span.spanId().equals(MDC.get(SPAN_ID))) {
      MDC.put(TRACE_ID, span.traceId());
      MDC.put(SPAN_ID, span.spanId());
    }
    return FilterReply.NEUTRAL;
  }
}
