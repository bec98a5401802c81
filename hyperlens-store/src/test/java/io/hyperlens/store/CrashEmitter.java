package io.hyperlens.store;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The child JVM of {@link StoreCrashTest}: emits through a bus into a persistent sink on SQLite
 * from several threads until killed, printing {@code acked <id>} for each emit that returned.
 *
 * <p>Arguments: data directory, durability (SYNC or ASYNC), queue capacity, threads.
 */
public final class CrashEmitter {
  private CrashEmitter() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Durability durability = Durability.valueOf(args[1]);
    int capacity = Integer.parseInt(args[2]);
    int threads = Integer.parseInt(args[3]);
    PrintStream out = System.out;
    HypervisorEventBus bus = new HypervisorEventBus();
    SqliteStore store = SqliteStore.open(dir);
    PersistentEventSink sink =
        PersistentEventSink.builder(store)
            .durability(durability)
            .queueCapacity(capacity)
            .overflow(Overflow.BLOCK, Duration.ofMinutes(5))
            .build();
    sink.subscribe(bus);
    for (int t = 0; t < threads; t++) {
      int thread = t;
      new Thread(
              () -> {
                for (long i = 0; ; i++) {
                  String id = "t" + thread + "-" + i;
                  bus.emit(
                      HypervisorEvent.builder(EventType.SAGA_STEP_COMMITTED)
                          .eventId(id)
                          .sessionId("crash-" + thread)
                          .payload(Map.of("i", i, "pad", "x".repeat(100)))
                          .build());
                  synchronized (out) {
                    out.println("acked " + id);
                    out.flush();
                  }
                }
              },
              "emitter-" + t)
          .start();
    }
    Thread.currentThread().join(); // killed from outside
  }
}
