package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TracedProxy} traces the {@code @Traced} methods of an interface and nothing else. */
class TracedProxyTest {
  interface AgentFactory {
    @Traced(value = "create_agent", attributes = "component=agent_lifecycle")
    String createAgent(String config) throws IOException;

    @Traced(kind = SpanKind.CLIENT)
    int calculateMetrics(List<Integer> data);

    String describe();
  }

  static final class DefaultAgentFactory implements AgentFactory {
    private final DistributedTracer tracer;
    Span seenInside;

    DefaultAgentFactory(DistributedTracer tracer) {
      this.tracer = tracer;
    }

    @Override
    public String createAgent(String config) throws IOException {
      if (config.isEmpty()) {
        throw new IOException("empty config");
      }
      seenInside = Context.current().span().orElse(null);
      tracer.finishSpan(tracer.startSpan("initialize_container"));
      return "agent:" + config;
    }

    @Override
    public int calculateMetrics(List<Integer> data) {
      return data.stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public String describe() {
      return "default";
    }
  }

  private final DistributedTracer tracer = DistributedTracer.builder().build();
  private final DefaultAgentFactory target = new DefaultAgentFactory(tracer);
  private final AgentFactory traced = TracedProxy.proxy(AgentFactory.class, target, tracer);

  @Test
  void annotatedCallsRunInACurrentSpanWithTheAnnotationsNameAndAttributes() throws Exception {
    assertThat(traced.createAgent("react")).isEqualTo("agent:react");

    SpanData span = tracer.getSpanById(target.seenInside.spanId()).orElseThrow();
    assertThat(span.name()).isEqualTo("create_agent");
    assertThat(span.status()).isEqualTo(SpanStatus.OK);
    assertThat(span.attributes()).containsEntry("component", "agent_lifecycle");
    List<SpanData> trace = tracer.getTraceSpans(span.traceId());
    assertThat(trace).extracting(SpanData::name).contains("initialize_container");
    assertThat(trace)
        .filteredOn(s -> s.name().equals("initialize_container"))
        .singleElement()
        .satisfies(child -> assertThat(child.parentSpanId()).contains(span.spanId()));
  }

  @Test
  void theNameDefaultsToInterfaceDotMethod() {
    assertThat(traced.calculateMetrics(List.of(1, 2, 3))).isEqualTo(6);

    SpanData span = tracer.getTraceSpans(tracer.recentTraces(1).get(0).traceId()).get(0);
    assertThat(span.name()).isEqualTo("AgentFactory.calculateMetrics");
    assertThat(span.kind()).isEqualTo(SpanKind.CLIENT);
  }

  @Test
  void checkedExceptionsReachTheCallerUnchangedAndMarkTheSpan() {
    assertThatThrownBy(() -> traced.createAgent(""))
        .isInstanceOf(IOException.class)
        .hasMessage("empty config");

    SpanData span = tracer.getTraceSpans(tracer.recentTraces(1).get(0).traceId()).get(0);
    assertThat(span.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(span.statusMessage()).contains("empty config");
    assertThat(span.events().get(0).attributes())
        .containsEntry("exception.type", "java.io.IOException");
  }

  @Test
  void unannotatedMethodsPassThroughWithoutASpan() {
    assertThat(traced.describe()).isEqualTo("default");
    assertThat(traced.toString()).startsWith("TracedProxy[" + DefaultAgentFactory.class.getName());
    assertThat(traced).isEqualTo(traced).isNotEqualTo(target);
    assertThat(traced.hashCode()).isEqualTo(System.identityHashCode(traced));

    assertThat(tracer.getMetrics().spansFinished()).isZero();
  }

  @Test
  void aClassIsRejectedNamingTheField() {
    assertThatThrownBy(() -> TracedProxy.proxy(DefaultAgentFactory.class, target, tracer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("interfaceType must be an interface, got class ");
  }

  interface Broken {
    @Traced(attributes = "no-equals-sign")
    void run();
  }

  @Test
  void aMalformedAttributeIsRejectedWhenTheProxyIsBuilt() {
    assertThatThrownBy(() -> TracedProxy.proxy(Broken.class, () -> {}, tracer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("@Traced attributes of Broken.run must be key=value, got \"no-equals-sign\"");
  }
}
