package io.hyperlens.trace.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.Traced;
import io.hyperlens.trace.TracedProxy;
import org.junit.jupiter.api.Test;

/** A user's package-private interface, outside {@code io.hyperlens.trace}, can be proxied. */
class TracedProxyFromAnotherPackageTest {
  interface Greeter {
    @Traced("greet")
    String hello(String name);

    default String shout(String name) {
      return hello(name).toUpperCase(java.util.Locale.ROOT);
    }
  }

  @Test
  void packagePrivateInterfacesAndDefaultMethodsWork() {
    DistributedTracer tracer = DistributedTracer.builder().build();
    Greeter greeter = TracedProxy.proxy(Greeter.class, name -> "hello " + name, tracer);

    assertThat(greeter.hello("bob")).isEqualTo("hello bob");
    assertThat(greeter.shout("bob")).isEqualTo("HELLO BOB");

    SpanData span = tracer.getTraceSpans(tracer.recentTraces(1).get(0).traceId()).get(0);
    assertThat(span.name()).isEqualTo("greet");
    // shout() runs on the target, whose hello() call does not pass through the proxy again
    assertThat(tracer.getMetrics().spansFinished()).isEqualTo(1);
  }
}
