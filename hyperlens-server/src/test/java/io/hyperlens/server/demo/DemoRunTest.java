package io.hyperlens.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DemoRunTest {
  @Test
  void theSagaCaptionSaysWhatTheEventsSay() {
    io.hyperlens.event.HypervisorEventBus bus = new io.hyperlens.event.HypervisorEventBus();
    java.util.function.Function<io.hyperlens.event.EventType, io.hyperlens.event.HypervisorEvent>
        e = type -> bus.eventBuilder(type).sessionId("s").build();
    assertThat(DemoRun.sagaCaption(java.util.List.of())).isEqualTo("saga running");
    assertThat(
            DemoRun.sagaCaption(
                java.util.List.of(
                    e.apply(io.hyperlens.event.EventType.SAGA_STEP_FAILED),
                    e.apply(io.hyperlens.event.EventType.SAGA_COMPENSATING),
                    e.apply(io.hyperlens.event.EventType.SAGA_ESCALATED))))
        .isEqualTo("saga step failed, earlier steps compensated, escalated");
    assertThat(
            DemoRun.sagaCaption(
                java.util.List.of(e.apply(io.hyperlens.event.EventType.SAGA_ESCALATED))))
        .isEqualTo("saga escalated");
    assertThat(
            DemoRun.sagaCaption(
                java.util.List.of(e.apply(io.hyperlens.event.EventType.SAGA_COMPLETED))))
        .isEqualTo("saga completed");
    assertThat(
            DemoRun.sagaCaption(
                java.util.List.of(
                    e.apply(io.hyperlens.event.EventType.SAGA_STEP_FAILED),
                    e.apply(io.hyperlens.event.EventType.SAGA_COMPLETED))))
        .isEqualTo("saga completed after a failed step");
    assertThat(
            DemoRun.sagaCaption(
                java.util.List.of(e.apply(io.hyperlens.event.EventType.SAGA_STEP_FAILED))))
        .isEqualTo("saga step failed");
  }
}
