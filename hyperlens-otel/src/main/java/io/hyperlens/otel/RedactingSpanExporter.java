package io.hyperlens.otel;

import io.hyperlens.redact.Redactor;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link SpanExporter} that removes secrets before spans leave the process: every string
 * attribute of a span, of its events (an exception's {@code exception.message} and {@code
 * exception.stacktrace} among them) and of its links, its status description and its name go
 * through {@link Redactor}, the rules the JSON logs and the audit trail use. A value under a key
 * that names a secret ({@code api_key}, {@code password}, ...) is replaced whole, and a card number
 * held as a number becomes {@code [REDACTED:credit_card]}. A span with nothing to redact is passed
 * on as it is.
 *
 * <p>{@link Tracing} puts one in front of the configured exporter unless {@link
 * TracingConfig.Builder#redactSecrets} is off; it works as well in front of any exporter of a plain
 * OpenTelemetry SDK pipeline:
 *
 * <pre>{@code
 * SdkTracerProvider provider =
 *     SdkTracerProvider.builder()
 *         .addSpanProcessor(
 *             BatchSpanProcessor.builder(
 *                     new RedactingSpanExporter(OtlpHttpSpanExporter.getDefault(), null))
 *                 .build())
 *         .build();
 * }</pre>
 *
 * <p>Each value changed is counted ({@link #redactedValues()}, and the counter {@value
 * #REDACTED_METRIC} when a meter provider is given). Thread-safe.
 */
public final class RedactingSpanExporter implements SpanExporter {
  /** The counter of values redacted, in the meter provider given. */
  public static final String REDACTED_METRIC = "hyperlens.trace.redacted_values";

  private static final String CARD = "[REDACTED:credit_card]";

  private final SpanExporter delegate;
  private final Redactor redactor = Redactor.standard();
  private final LongAdder redacted = new LongAdder();
  private final LongCounter counter;

  /**
   * Redacts what is sent to {@code delegate}, counting into {@code meters} (null for none).
   *
   * @throws IllegalArgumentException if {@code delegate} is null
   */
  public RedactingSpanExporter(SpanExporter delegate, MeterProvider meters) {
    if (delegate == null) {
      throw new IllegalArgumentException("delegate must not be null");
    }
    this.delegate = delegate;
    this.counter =
        meters == null
            ? null
            : meters
                .get("io.hyperlens.otel")
                .counterBuilder(REDACTED_METRIC)
                .setDescription(
                    "Span attribute values, event attributes, status descriptions and names in"
                        + " which secrets were replaced before export.")
                .setUnit("{value}")
                .build();
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    List<SpanData> out = new ArrayList<>(spans.size());
    for (SpanData span : spans) {
      out.add(redact(span));
    }
    return delegate.export(out);
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }

  /** Values redacted since this exporter was made. */
  public long redactedValues() {
    return redacted.sum();
  }

  @Override
  public String toString() {
    return delegate.toString();
  }

  /** {@code span} with its secrets replaced, or {@code span} itself when it holds none. */
  SpanData redact(SpanData span) {
    Changes changes = new Changes();
    String name = changes.text(redactor.redact(span.getName()), span.getName());
    Attributes attributes = redact(span.getAttributes(), changes);
    List<EventData> events = redactEvents(span.getEvents(), changes);
    List<LinkData> links = redactLinks(span.getLinks(), changes);
    StatusData status = span.getStatus();
    String description = status.getDescription();
    if (description != null && !description.isEmpty()) {
      String clean = changes.text(redactor.redact(description), description);
      if (clean != description) {
        status = StatusData.create(status.getStatusCode(), clean);
      }
    }
    if (changes.count == 0) {
      return span;
    }
    redacted.add(changes.count);
    if (counter != null) {
      counter.add(changes.count);
    }
    return new Redacted(span, name, attributes, events, links, status);
  }

  private List<EventData> redactEvents(List<EventData> events, Changes changes) {
    List<EventData> out = null;
    for (int i = 0; i < events.size(); i++) {
      EventData event = events.get(i);
      Attributes clean = redact(event.getAttributes(), changes);
      if (clean != event.getAttributes()) {
        if (out == null) {
          out = new ArrayList<>(events);
        }
        out.set(
            i,
            EventData.create(
                event.getEpochNanos(), event.getName(), clean, event.getTotalAttributeCount()));
      }
    }
    return out == null ? events : out;
  }

  private List<LinkData> redactLinks(List<LinkData> links, Changes changes) {
    List<LinkData> out = null;
    for (int i = 0; i < links.size(); i++) {
      LinkData link = links.get(i);
      Attributes clean = redact(link.getAttributes(), changes);
      if (clean != link.getAttributes()) {
        if (out == null) {
          out = new ArrayList<>(links);
        }
        out.set(i, LinkData.create(link.getSpanContext(), clean, link.getTotalAttributeCount()));
      }
    }
    return out == null ? links : out;
  }

  /** {@code attributes} redacted, or the same instance when nothing in them changed. */
  @SuppressWarnings("unchecked")
  private Attributes redact(Attributes attributes, Changes changes) {
    if (attributes.isEmpty()) {
      return attributes;
    }
    int before = changes.count;
    AttributesBuilder builder = Attributes.builder();
    attributes.forEach(
        (key, value) -> {
          String name = key.getKey();
          AttributeType type = key.getType();
          if (type == AttributeType.STRING) {
            String text = (String) value;
            builder.put(
                (AttributeKey<String>) key, changes.text(redactor.redactUnder(name, text), text));
          } else if (type == AttributeType.STRING_ARRAY) {
            List<String> texts = (List<String>) value;
            List<String> clean = new ArrayList<>(texts.size());
            for (String text : texts) {
              clean.add(changes.text(redactor.redactUnder(name, text), text));
            }
            builder.put((AttributeKey<List<String>>) key, clean);
          } else if (type == AttributeType.LONG
              && (redactor.isSecretKey(name) || Redactor.isCardNumber(value.toString()))) {
            changes.count++;
            builder.put(
                AttributeKey.stringKey(name),
                redactor.isSecretKey(name) ? "[REDACTED:credential]" : CARD);
          } else {
            builder.put((AttributeKey<Object>) key, value);
          }
        });
    return changes.count == before ? attributes : builder.build();
  }

  /** How many values a span's redaction changed. */
  private static final class Changes {
    int count;

    /** {@code clean}, counting a change; {@code original} itself when it is the same text. */
    String text(String clean, String original) {
      if (clean == null || clean.equals(original)) {
        return original;
      }
      count++;
      return clean;
    }
  }

  /** A span with redacted fields. */
  private static final class Redacted extends DelegatingSpanData {
    private final String name;
    private final Attributes attributes;
    private final List<EventData> events;
    private final List<LinkData> links;
    private final StatusData status;

    Redacted(
        SpanData span,
        String name,
        Attributes attributes,
        List<EventData> events,
        List<LinkData> links,
        StatusData status) {
      super(span);
      this.name = name;
      this.attributes = attributes;
      this.events = events;
      this.links = links;
      this.status = status;
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public Attributes getAttributes() {
      return attributes;
    }

    @Override
    public List<EventData> getEvents() {
      return events;
    }

    @Override
    public List<LinkData> getLinks() {
      return links;
    }

    @Override
    public StatusData getStatus() {
      return status;
    }
  }
}
