package io.hyperlens.store;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import java.nio.file.Path;
import java.util.Map;

/**
 * The child JVM of {@link SinkShutdownTest}: queues events in an ASYNC sink whose store takes 20 ms
 * per event, then returns from {@code main} without closing anything.
 *
 * <p>Arguments: data directory, events, flushOnShutdown (true or false).
 */
public final class ExitingEmitter {
  private ExitingEmitter() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    int events = Integer.parseInt(args[1]);
    boolean flush = Boolean.parseBoolean(args[2]);
    SqliteStore store = SqliteStore.open(dir);
    ObservedStore slow = new ObservedStore(store);
    slow.delayMillis = 20;
    PersistentEventSink sink =
        PersistentEventSink.builder(slow).batchSize(1).flushOnShutdown(flush).build();
    HypervisorEventBus bus = new HypervisorEventBus();
    sink.subscribe(bus);
    for (int i = 0; i < events; i++) {
      bus.emit(
          HypervisorEvent.builder(EventType.SESSION_CREATED)
              .eventId("e" + i)
              .sessionId("s")
              .payload(Map.of("i", i))
              .build());
    }
    System.out.println("queued " + sink.stats().queued());
    // main returns: the JVM exits with the sink's writer (a daemon) still behind
  }
}
