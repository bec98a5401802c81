package io.hyperlens.otel;

import io.hyperlens.spi.Timeouts;
import io.opentelemetry.sdk.common.CompletableResultCode;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waiting on the SDK's asynchronous results, turning failure and timeout into exceptions. */
final class SdkResults {
  private SdkResults() {}

  /**
   * Waits up to {@code timeout} for {@code result}.
   *
   * @throws IllegalStateException naming {@code what} when it failed or did not finish in time
   */
  static void await(CompletableResultCode result, Duration timeout, String what) {
    result.join(Timeouts.nanos(timeout), TimeUnit.NANOSECONDS);
    if (!result.isDone()) {
      throw new IllegalStateException(what + " did not finish within " + timeout);
    }
    if (!result.isSuccess()) {
      throw new IllegalStateException(what + " failed", result.getFailureThrowable());
    }
  }
}
