package io.hyperlens.otel;

import io.hyperlens.trace.DistributedTracer;
import io.opentelemetry.api.metrics.MeterProvider;

/**
 * Configures a {@link GenAiTelemetry}: the default {@code gen_ai.provider.name}, the opt-in capture
 * of message content and the price table of cost; from {@link GenAiTelemetry#builder}.
 *
 * <p>Not thread-safe; build on one thread. {@link #build()} does no I/O.
 *
 * <pre>{@code
 * GenAiTelemetry genAi =
 *     GenAiTelemetry.builder(tracing.tracer(), tracing.meterProvider())
 *         .defaultProviderName("openai")
 *         .captureContent(true)
 *         .maxContentLength(8_192)
 *         .prices(GenAiPriceTable.bundled().withOverrides(GenAiPriceTable.parse(myPricesJson)))
 *         .build();
 * }</pre>
 */
public final class GenAiTelemetryBuilder {
  /** The default cap on each content attribute, in characters. */
  public static final int DEFAULT_MAX_CONTENT_LENGTH = 16_384;

  /** The smallest cap: room for a marked, truncated message. */
  public static final int MIN_MAX_CONTENT_LENGTH = 64;

  final DistributedTracer tracer;
  final MeterProvider meterProvider;
  String defaultProviderName;
  boolean captureContent;
  int maxContentLength = DEFAULT_MAX_CONTENT_LENGTH;
  GenAiPriceTable prices = GenAiPriceTable.bundled();

  GenAiTelemetryBuilder(DistributedTracer tracer, MeterProvider meterProvider) {
    if (tracer == null) {
      throw new IllegalArgumentException("tracer must not be null");
    }
    if (meterProvider == null) {
      throw new IllegalArgumentException("meterProvider must not be null");
    }
    this.tracer = tracer;
    this.meterProvider = meterProvider;
  }

  /**
   * The {@code gen_ai.provider.name} of operations started without one (the single-argument entry
   * points); none by default, and then those entry points throw.
   *
   * @throws IllegalArgumentException when {@code providerName} is blank
   */
  public GenAiTelemetryBuilder defaultProviderName(String providerName) {
    this.defaultProviderName = GenAiOperation.requireNonBlank("defaultProviderName", providerName);
    return this;
  }

  /**
   * Whether {@code gen_ai.input.messages}, {@code gen_ai.output.messages} and {@code
   * gen_ai.system_instructions} are recorded; off by default, as the conventions advise, since
   * prompts hold personal data. When on, every string is redacted before it is kept.
   */
  public GenAiTelemetryBuilder captureContent(boolean captureContent) {
    this.captureContent = captureContent;
    return this;
  }

  /**
   * The cap on each content attribute's JSON, in characters ({@value #DEFAULT_MAX_CONTENT_LENGTH}
   * by default): longer content is cut, each cut string ending in {@code ...[truncated]}, and the
   * span gets {@code hyperlens.gen_ai.content.truncated=true}. The tracer's {@link
   * io.hyperlens.trace.DistributedTracer#maxAttributeLength()} caps it too, so the JSON is never
   * cut blindly by the tracer.
   *
   * @throws IllegalArgumentException when below {@value #MIN_MAX_CONTENT_LENGTH}
   */
  public GenAiTelemetryBuilder maxContentLength(int maxContentLength) {
    if (maxContentLength < MIN_MAX_CONTENT_LENGTH) {
      throw new IllegalArgumentException(
          "maxContentLength must be at least "
              + MIN_MAX_CONTENT_LENGTH
              + ", got "
              + maxContentLength);
    }
    this.maxContentLength = maxContentLength;
    return this;
  }

  /**
   * The prices that turn an operation's token usage into cost ({@link GenAiPriceTable#bundled()} by
   * default; {@code GenAiPriceTable.bundled().withOverrides(mine)} to add or change some).
   *
   * @throws IllegalArgumentException when null
   */
  public GenAiTelemetryBuilder prices(GenAiPriceTable prices) {
    if (prices == null) {
      throw new IllegalArgumentException("prices must not be null");
    }
    this.prices = prices;
    return this;
  }

  /** The telemetry; its instruments are created on the meter provider now. */
  public GenAiTelemetry build() {
    return new GenAiTelemetry(this);
  }
}
