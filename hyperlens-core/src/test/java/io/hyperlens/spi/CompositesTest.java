package io.hyperlens.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompositesTest {

  @Test
  void compositeExporterCallsEveryExporterAndRethrowsTheFirstFailure() {
    MetricsExporter failing = RecordingMetricsExporter.throwing(new IllegalStateException("first"));
    RecordingMetricsExporter recording = RecordingMetricsExporter.recording();
    MetricsExporter composite = MetricsExporter.composite(failing, recording);

    assertThatThrownBy(() -> composite.setGauge("g", 1, Map.of(), ""))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("first");
    assertThatThrownBy(() -> composite.incCounter("c", 2, Map.of(), ""))
        .isExactlyInstanceOf(IllegalStateException.class);
    assertThat(recording.calls())
        .containsExactly("GAUGE g=1.0 labels={}", "COUNTER c +=2.0 labels={}");
  }

  @Test
  void compositeSinkCallsEverySinkAndKeepsLaterFailuresAsSuppressed() {
    List<String> calls = new ArrayList<>();
    SpanSink first =
        (name, start, end, attributes, status) -> {
          throw new IllegalStateException("one");
        };
    SpanSink second =
        (name, start, end, attributes, status) -> {
          throw new IllegalArgumentException("two");
        };
    SpanSink third = (name, start, end, attributes, status) -> calls.add(name + " " + status);
    Instant now = Instant.EPOCH;

    assertThatThrownBy(
            () ->
                SpanSink.composite(first, second, third).recordSpan("s", now, now, Map.of(), "ok"))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("one")
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
    assertThat(calls).containsExactly("s ok");
  }

  @Test
  void noopsAcceptEverything() {
    MetricsExporter.noop().setGauge("g", 1, Map.of(), "");
    MetricsExporter.noop().incCounter("c", 1, Map.of(), "");
    SpanSink.noop().recordSpan("s", Instant.EPOCH, Instant.EPOCH, Map.of(), "ok");
    assertThat(MetricsExporter.noop()).isSameAs(MetricsExporter.noop());
  }
}
