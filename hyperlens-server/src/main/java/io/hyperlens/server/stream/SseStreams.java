package io.hyperlens.server.stream;

import io.hyperlens.event.HypervisorEvent;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Serves a subscription of the {@link EventStream} as Server-Sent Events on the request's own
 * thread until the client goes away: each batch of events (up to 100 at once) is turned into
 * messages by a renderer; a comment every 15 s keeps proxies from closing an idle stream and finds
 * clients that left, and a page of current state is rendered again every 5 s without events. A
 * subscriber cut off for being slow gets an {@code error} event saying so before the stream ends.
 */
public final class SseStreams {
  private static final long HEARTBEAT_MILLIS = 15_000;
  private static final int MOST_PER_BATCH = 100;
  private static final long REFRESH_MILLIS = 5_000;

  /**
   * One Server-Sent Event.
   *
   * @param event its name
   * @param data its data (one line or several)
   */
  public record Message(String event, String data) {}

  private SseStreams() {}

  /**
   * Streams {@code filter}'s events from {@code stream} to the client of {@code ctx}.
   *
   * @param render the messages for a batch of events
   * @param renderOnStart whether to send what {@code render} makes of no events first (a page's
   *     current state)
   * @param coalesceMillis the least time between two sends: events that come sooner wait and go
   *     together (0: each batch as it comes)
   * @throws IllegalArgumentException when the request does not accept {@code text/event-stream}
   * @throws IllegalStateException when the stream has all the subscribers it takes
   */
  public static void serve(
      Context ctx,
      EventStream stream,
      EventStream.Filter filter,
      Function<List<HypervisorEvent>, List<Message>> render,
      boolean renderOnStart,
      long coalesceMillis) {
    String accept = ctx.header("Accept");
    if (accept == null || !accept.contains("text/event-stream")) {
      throw new IllegalArgumentException(
          "this is a Server-Sent Events stream; send Accept: text/event-stream");
    }
    EventStream.Subscription subscription = stream.subscribe(filter);
    try {
      new SseHandler(client -> pump(client, subscription, render, renderOnStart, coalesceMillis))
          .handle(ctx);
    } catch (Exception e) {
      subscription.close();
      throw new IllegalStateException("the stream failed: " + e.getMessage(), e);
    }
  }

  private static void pump(
      SseClient client,
      EventStream.Subscription subscription,
      Function<List<HypervisorEvent>, List<Message>> render,
      boolean renderOnStart,
      long coalesceMillis) {
    try (subscription) {
      if (renderOnStart) {
        send(client, render.apply(List.of()));
      }
      long lastSent = System.currentTimeMillis();
      while (!client.terminated()) {
        HypervisorEvent first = subscription.next(1, TimeUnit.SECONDS);
        if (first != null) {
          List<HypervisorEvent> batch = new ArrayList<>();
          batch.add(first);
          HypervisorEvent more;
          long sendAt = lastSent + coalesceMillis;
          while (true) {
            long now = System.currentTimeMillis();
            if (coalesceMillis > 0 ? now >= sendAt : batch.size() >= MOST_PER_BATCH) {
              break;
            }
            more = subscription.next(coalesceMillis > 0 ? sendAt - now : 0, TimeUnit.MILLISECONDS);
            if (more == null) {
              if (coalesceMillis == 0) {
                break;
              }
            } else if (batch.size() < MOST_PER_BATCH) {
              batch.add(more); // past the batch size a coalescing page only needs to know
            }
          }
          send(client, render.apply(batch));
          lastSent = System.currentTimeMillis();
        } else if (subscription.ended() != null) {
          if (subscription.ended() == EventStream.EndReason.SLOW_CONSUMER) {
            client.sendEvent(
                "error",
                "{\"error\":\"slow_consumer\",\"message\":\"this client fell too far"
                    + " behind the stream and was cut off; reconnect\"}");
          }
          return;
        } else if (renderOnStart && System.currentTimeMillis() - lastSent >= REFRESH_MILLIS) {
          // a page of current state also changes with no event: rates fall, an hour passes
          send(client, render.apply(List.of()));
          lastSent = System.currentTimeMillis();
        } else if (System.currentTimeMillis() - lastSent >= HEARTBEAT_MILLIS) {
          client.sendComment("keep-alive");
          lastSent = System.currentTimeMillis();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException gone) {
      // the client went away mid-write: the subscription closes
    }
  }

  private static void send(SseClient client, List<Message> messages) {
    for (Message message : messages) {
      if (client.terminated()) {
        return; // the client left mid-batch: the rest would only be warnings in the log
      }
      client.sendEvent(message.event(), message.data());
    }
  }
}
