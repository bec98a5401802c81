package io.hyperlens.langchain4j;

import io.hyperlens.otel.GenAiTelemetry;

/**
 * Configures a {@link HyperlensChatModelListener}; from {@link HyperlensChatModelListener#builder}.
 *
 * <p>Not thread-safe; build on one thread. {@link #build()} does no I/O.
 *
 * <pre>{@code
 * HyperlensChatModelListener listener =
 *     HyperlensChatModelListener.builder(genAi).fallbackProviderName("my-gateway").build();
 * }</pre>
 */
public final class HyperlensChatModelListenerBuilder {
  private final GenAiTelemetry genAi;
  private String fallbackProviderName = HyperlensChatModelListener.DEFAULT_FALLBACK_PROVIDER_NAME;

  HyperlensChatModelListenerBuilder(GenAiTelemetry genAi) {
    if (genAi == null) {
      throw new IllegalArgumentException("genAi must not be null");
    }
    this.genAi = genAi;
  }

  /**
   * The {@code gen_ai.provider.name} of calls whose model names no provider, or {@code OTHER}
   * ({@value HyperlensChatModelListener#DEFAULT_FALLBACK_PROVIDER_NAME} by default).
   *
   * @throws IllegalArgumentException when blank
   */
  public HyperlensChatModelListenerBuilder fallbackProviderName(String fallbackProviderName) {
    this.fallbackProviderName =
        HyperlensLangChain4jBuilder.requireNonBlank("fallbackProviderName", fallbackProviderName);
    return this;
  }

  /** The listener. */
  public HyperlensChatModelListener build() {
    return new HyperlensChatModelListener(genAi, fallbackProviderName);
  }
}
