package io.hyperlens.spi;

import java.util.List;
import java.util.function.Consumer;

/**
 * Calls every target of a composite even when some throw, then rethrows the first failure with the
 * others suppressed: the fan-out behind every {@code composite(...)} in Hyperlens.
 *
 * <p>Thread-safe: stateless.
 *
 * <pre>{@code
 * FanOut.callEach(List.of(first, second), exporter -> exporter.export(spans));
 * }</pre>
 */
public final class FanOut {
  private FanOut() {}

  /**
   * Applies {@code call} to each target in order; a {@link RuntimeException} from one does not stop
   * the rest, and the first is rethrown at the end with later ones added as suppressed.
   */
  public static <T> void callEach(List<T> targets, Consumer<T> call) {
    RuntimeException first = null;
    for (T target : targets) {
      try {
        call.accept(target);
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
