package io.hyperlens.bench;

import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Span;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.TraceContext;
import io.hyperlens.trace.W3CPropagator;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Hyperlens's {@link DistributedTracer} beside the OpenTelemetry SDK (a {@code SdkTracerProvider}
 * with a span processor that wants neither start nor end, the default always-on sampler and span
 * limits), in three pairs:
 *
 * <ul>
 *   <li>Root span: start, three attributes (a string, a long and a boolean, same keys and values on
 *       both sides, set through the string-keyed {@code setAttribute} overloads), finish. The
 *       Hyperlens tracer keeps the newest 10,000 finished spans for queries by default (evicting
 *       one per span in steady state); {@code hyperlensRootSpanNoRetention} uses {@code
 *       maxSpans(0)} to show what retention costs, and is the like-for-like match for the SDK,
 *       which keeps nothing. The {@code ...AttributeMap} / {@code ...Attributes} pair hands the
 *       attributes over at start instead ({@code startSpan(name, kind, Map)} against {@code
 *       spanBuilder(name).setAllAttributes(Attributes)}).
 *   <li>Child span: start and finish a span under a current parent. In {@code hyperlensChildSpan},
 *       {@code hyperlensChildSpanNoRetention} and {@code otelChildSpan} the parent is made current
 *       once per trial in {@link ParentCurrent}'s setup and its scope is closed in its teardown:
 *       JMH runs the helper methods of a {@code Scope.Thread} state on the benchmark thread, and
 *       {@link ParentCurrent#checkChildren()} verifies after every iteration that the last child
 *       measured really had that parent (the teardown also fails if it runs on another thread). The
 *       {@code ...InScope} pair opens the parent's scope inside the measured method, so it adds the
 *       cost of making a span current and closing the scope.
 *   <li>Propagation: inject a context (trace id, parent span id, sampled flag, a two-entry {@code
 *       tracestate}, three baggage entries) into a {@code HashMap} carrier, and extract one from a
 *       carrier with the same three headers. Hyperlens's {@link W3CPropagator} against the SDK's
 *       W3C trace-context and baggage propagators combined with {@code
 *       TextMapPropagator.composite}. Extraction returns the parsed context (a {@link
 *       TraceContext}, an OpenTelemetry {@code Context}); setup checks once that both sides write
 *       and read the same headers.
 * </ul>
 *
 * <p>Neither side exports: the Hyperlens tracers have no exporter and the SDK's processor ignores
 * every span.
 */
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TracerBenchmark {
  static final String SPAN_NAME = "execute_task";
  static final String CHILD_NAME = "tool_call";
  static final String KEY_STRING = "agent.id";
  static final String VALUE_STRING = "agent-789";
  static final String KEY_LONG = "agent.ring";
  static final long VALUE_LONG = 3L;
  static final String KEY_BOOLEAN = "agent.sandboxed";
  static final boolean VALUE_BOOLEAN = true;

  static final Map<String, Object> HYPERLENS_ATTRIBUTES =
      Map.of(KEY_STRING, VALUE_STRING, KEY_LONG, VALUE_LONG, KEY_BOOLEAN, VALUE_BOOLEAN);
  static final Attributes OTEL_ATTRIBUTES =
      Attributes.builder()
          .put(KEY_STRING, VALUE_STRING)
          .put(KEY_LONG, VALUE_LONG)
          .put(KEY_BOOLEAN, VALUE_BOOLEAN)
          .build();

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT_SPAN_ID = "00f067aa0ba902b7";
  static final String TRACEPARENT = "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01";
  static final String TRACESTATE = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
  static final String BAGGAGE = "user_id=12345,tenant=acme,request_id=req-789";

  static final TextMapSetter<Map<String, String>> MAP_SETTER =
      (carrier, key, value) -> {
        if (carrier != null) {
          carrier.put(key, value);
        }
      };

  static final TextMapGetter<Map<String, String>> MAP_GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  DistributedTracer hyperlens;
  DistributedTracer hyperlensNoRetention;
  SdkTracerProvider otelProvider;
  Tracer otel;

  Span hyperlensParent;
  io.opentelemetry.api.trace.Span otelParent;

  TraceContext hyperlensContext;
  io.opentelemetry.context.Context otelContext;
  TextMapPropagator otelPropagator;
  final Map<String, String> hyperlensInjected = new HashMap<>();
  final Map<String, String> otelInjected = new HashMap<>();
  final Map<String, String> incoming = new HashMap<>();

  @Setup
  public void setUp() {
    hyperlens = DistributedTracer.builder().build();
    hyperlensNoRetention = DistributedTracer.builder().maxSpans(0).build();
    otelProvider = SdkTracerProvider.builder().addSpanProcessor(new IgnoringProcessor()).build();
    otel = otelProvider.get("bench");

    hyperlensParent = hyperlens.startSpan("agent_lifecycle");
    otelParent = otel.spanBuilder("agent_lifecycle").startSpan();

    Map<String, String> traceState = new LinkedHashMap<>();
    traceState.put("rojo", "00f067aa0ba902b7");
    traceState.put("congo", "t61rcWkgMzE");
    Map<String, String> baggage = new LinkedHashMap<>();
    baggage.put("user_id", "12345");
    baggage.put("tenant", "acme");
    baggage.put("request_id", "req-789");
    hyperlensContext =
        TraceContext.of(TRACE_ID, PARENT_SPAN_ID, TraceContext.FLAG_SAMPLED, traceState, baggage);

    // OpenTelemetry's builder puts each new entry leftmost: add them right to left.
    TraceState otelTraceState =
        TraceState.builder().put("congo", "t61rcWkgMzE").put("rojo", "00f067aa0ba902b7").build();
    SpanContext remote =
        SpanContext.create(TRACE_ID, PARENT_SPAN_ID, TraceFlags.getSampled(), otelTraceState);
    Baggage otelBaggage =
        Baggage.builder()
            .put("user_id", "12345")
            .put("tenant", "acme")
            .put("request_id", "req-789")
            .build();
    otelContext =
        io.opentelemetry.context.Context.root()
            .with(io.opentelemetry.api.trace.Span.wrap(remote))
            .with(otelBaggage);
    otelPropagator =
        TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance());

    incoming.put(W3CPropagator.TRACEPARENT, TRACEPARENT);
    incoming.put(W3CPropagator.TRACESTATE, TRACESTATE);
    incoming.put(W3CPropagator.BAGGAGE, BAGGAGE);
    checkPropagation();
  }

  /** Both propagators must write the same headers and read back the same fields. */
  private void checkPropagation() {
    Map<String, String> expected = new HashMap<>(incoming);
    Map<String, String> ours = hyperlensInject();
    Map<String, String> theirs = otelInject();
    // Baggage member order is the SDK's business; compare members as sets.
    require(
        ours.get("traceparent").equals(TRACEPARENT)
            && theirs.get("traceparent").equals(TRACEPARENT)
            && ours.get("tracestate").equals(TRACESTATE)
            && theirs.get("tracestate").equals(TRACESTATE)
            && members(ours.get("baggage")).equals(members(BAGGAGE))
            && members(theirs.get("baggage")).equals(members(BAGGAGE))
            && ours.size() == 3
            && theirs.size() == 3,
        "inject: Hyperlens " + ours + ", OpenTelemetry " + theirs + ", expected " + expected);

    TraceContext read = hyperlensExtract();
    require(
        read.traceId().equals(TRACE_ID)
            && read.parentSpanId().orElse("").equals(PARENT_SPAN_ID)
            && read.traceState().size() == 2
            && read.baggage().size() == 3
            && read.getBaggage("request_id").orElse("").equals("req-789"),
        "Hyperlens extract: " + read);
    io.opentelemetry.context.Context context = otelExtract();
    SpanContext span = io.opentelemetry.api.trace.Span.fromContext(context).getSpanContext();
    Baggage baggage = Baggage.fromContext(context);
    require(
        span.getTraceId().equals(TRACE_ID)
            && span.getSpanId().equals(PARENT_SPAN_ID)
            && span.isRemote()
            && span.getTraceState().size() == 2
            && baggage.size() == 3
            && "req-789".equals(baggage.getEntryValue("request_id")),
        "OpenTelemetry extract: " + span + " " + baggage);
  }

  private static Set<String> members(String header) {
    return Set.of(header.split(","));
  }

  static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }

  @TearDown
  public void tearDown() {
    hyperlens.finishSpan(hyperlensParent);
    otelParent.end();
    hyperlens.close();
    hyperlensNoRetention.close();
    otelProvider.close();
  }

  // ---- root span with three attributes ----

  @Benchmark
  public Span hyperlensRootSpan() {
    return rootSpan(hyperlens);
  }

  @Benchmark
  public Span hyperlensRootSpanNoRetention() {
    return rootSpan(hyperlensNoRetention);
  }

  private static Span rootSpan(DistributedTracer tracer) {
    Span span = tracer.startSpan(SPAN_NAME);
    span.setAttribute(KEY_STRING, VALUE_STRING);
    span.setAttribute(KEY_LONG, VALUE_LONG);
    span.setAttribute(KEY_BOOLEAN, VALUE_BOOLEAN);
    tracer.finishSpan(span);
    return span;
  }

  @Benchmark
  public io.opentelemetry.api.trace.Span otelRootSpan() {
    io.opentelemetry.api.trace.Span span = otel.spanBuilder(SPAN_NAME).startSpan();
    span.setAttribute(KEY_STRING, VALUE_STRING);
    span.setAttribute(KEY_LONG, VALUE_LONG);
    span.setAttribute(KEY_BOOLEAN, VALUE_BOOLEAN);
    span.end();
    return span;
  }

  @Benchmark
  public Span hyperlensRootSpanAttributeMap() {
    Span span = hyperlens.startSpan(SPAN_NAME, SpanKind.INTERNAL, HYPERLENS_ATTRIBUTES);
    hyperlens.finishSpan(span);
    return span;
  }

  @Benchmark
  public io.opentelemetry.api.trace.Span otelRootSpanAttributes() {
    io.opentelemetry.api.trace.Span span =
        otel.spanBuilder(SPAN_NAME).setAllAttributes(OTEL_ATTRIBUTES).startSpan();
    span.end();
    return span;
  }

  // ---- child span under a current parent ----

  /**
   * A parent span of each library made current on the benchmark thread for the whole trial. Both
   * parents are current at once (the two libraries keep separate context storage), so each
   * library's child finds its own parent.
   */
  @State(Scope.Thread)
  public static class ParentCurrent {
    DistributedTracer tracer;
    SdkTracerProvider provider;
    Span hyperlensParent;
    io.opentelemetry.api.trace.Span otelParent;
    io.hyperlens.trace.Scope hyperlensScope;
    io.opentelemetry.context.Scope otelScope;
    Thread owner;
    Span lastHyperlensChild;
    io.opentelemetry.api.trace.Span lastOtelChild;

    @Setup(Level.Trial)
    public void setUp() {
      tracer = DistributedTracer.builder().maxSpans(0).build();
      provider = SdkTracerProvider.builder().addSpanProcessor(new IgnoringProcessor()).build();
      hyperlensParent = tracer.startSpan("agent_lifecycle");
      otelParent = provider.get("bench").spanBuilder("agent_lifecycle").startSpan();
      owner = Thread.currentThread();
      hyperlensScope = hyperlensParent.makeCurrent();
      otelScope = otelParent.makeCurrent();
    }

    /** Fails the run unless the last child measured had the current parent as its parent. */
    @TearDown(Level.Iteration)
    public void checkChildren() {
      if (lastHyperlensChild != null) {
        require(
            lastHyperlensChild.parentSpanId().orElse("").equals(hyperlensParent.spanId()),
            "Hyperlens child " + lastHyperlensChild + " is not a child of " + hyperlensParent);
      }
      if (lastOtelChild != null) {
        String parentId = ((ReadableSpan) lastOtelChild).getParentSpanContext().getSpanId();
        require(
            parentId.equals(otelParent.getSpanContext().getSpanId()),
            "OpenTelemetry child " + lastOtelChild + " is not a child of " + otelParent);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      require(
          Thread.currentThread() == owner,
          "trial teardown on " + Thread.currentThread() + ", setup on " + owner);
      otelScope.close();
      hyperlensScope.close();
      require(
          io.hyperlens.trace.Context.scopeMisuseCount() == 0,
          "Hyperlens counted scope misuse: " + io.hyperlens.trace.Context.scopeMisuseCount());
      tracer.finishSpan(hyperlensParent);
      otelParent.end();
      tracer.close();
      provider.close();
    }
  }

  @Benchmark
  public Span hyperlensChildSpan(ParentCurrent parent) {
    Span child = hyperlens.startSpan(CHILD_NAME);
    hyperlens.finishSpan(child);
    parent.lastHyperlensChild = child;
    return child;
  }

  @Benchmark
  public Span hyperlensChildSpanNoRetention(ParentCurrent parent) {
    Span child = hyperlensNoRetention.startSpan(CHILD_NAME);
    hyperlensNoRetention.finishSpan(child);
    parent.lastHyperlensChild = child;
    return child;
  }

  @Benchmark
  public io.opentelemetry.api.trace.Span otelChildSpan(ParentCurrent parent) {
    io.opentelemetry.api.trace.Span child = otel.spanBuilder(CHILD_NAME).startSpan();
    child.end();
    parent.lastOtelChild = child;
    return child;
  }

  @Benchmark
  @SuppressWarnings("try") // the scope only keeps the parent current
  public Span hyperlensChildSpanInScope() {
    try (io.hyperlens.trace.Scope scope = hyperlensParent.makeCurrent()) {
      Span child = hyperlens.startSpan(CHILD_NAME);
      hyperlens.finishSpan(child);
      return child;
    }
  }

  @Benchmark
  @SuppressWarnings("try") // the scope only keeps the parent current
  public io.opentelemetry.api.trace.Span otelChildSpanInScope() {
    try (io.opentelemetry.context.Scope scope = otelParent.makeCurrent()) {
      io.opentelemetry.api.trace.Span child = otel.spanBuilder(CHILD_NAME).startSpan();
      child.end();
      return child;
    }
  }

  // ---- W3C propagation ----

  @Benchmark
  public Map<String, String> hyperlensInject() {
    W3CPropagator.inject(hyperlensContext, hyperlensInjected);
    return hyperlensInjected;
  }

  @Benchmark
  public Map<String, String> otelInject() {
    otelPropagator.inject(otelContext, otelInjected, MAP_SETTER);
    return otelInjected;
  }

  @Benchmark
  public TraceContext hyperlensExtract() {
    return W3CPropagator.extract(incoming);
  }

  @Benchmark
  public io.opentelemetry.context.Context otelExtract() {
    return otelPropagator.extract(io.opentelemetry.context.Context.root(), incoming, MAP_GETTER);
  }

  /** A span processor that asks for neither start nor end: the SDK without export. */
  static final class IgnoringProcessor implements SpanProcessor {
    @Override
    public void onStart(io.opentelemetry.context.Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {}

    @Override
    public boolean isEndRequired() {
      return false;
    }
  }
}
