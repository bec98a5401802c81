package io.hyperlens.bench;

import io.hyperlens.trace.CausalTraceId;
import io.opentelemetry.sdk.trace.IdGenerator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * {@code CausalTraceId.child().fullId()} (a new span id and its string form), beside the id sources
 * a user would otherwise pick: {@code UUID.randomUUID()} and OpenTelemetry's random span-id
 * generator.
 */
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CausalTraceIdBenchmark {
  final CausalTraceId parent = CausalTraceId.root().child();
  final IdGenerator otel = IdGenerator.random();

  @Benchmark
  public String childFullId() {
    return parent.child().fullId();
  }

  @Benchmark
  public String rootFullId() {
    return CausalTraceId.root().fullId();
  }

  @Benchmark
  public String uuidRandomToString() {
    return UUID.randomUUID().toString();
  }

  @Benchmark
  public String otelSpanId() {
    return otel.generateSpanId();
  }
}
