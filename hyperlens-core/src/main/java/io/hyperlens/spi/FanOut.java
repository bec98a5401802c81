package io.hyperlens.spi;

import java.util.List;
import java.util.function.Consumer;

/** Calls every target of a composite even when some throw; rethrows the first failure. */
final class FanOut {
  private FanOut() {}

  static <T> void callEach(List<T> targets, Consumer<T> call) {
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
