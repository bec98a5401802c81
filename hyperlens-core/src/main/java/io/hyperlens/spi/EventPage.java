package io.hyperlens.spi;

import io.hyperlens.event.HypervisorEvent;
import java.util.List;
import java.util.Optional;

/**
 * One page of an {@link EventStore#page} walk: the events, oldest first, and the cursor of the next
 * page, absent on the last one.
 *
 * <pre>{@code
 * String cursor = null;
 * do {
 *   EventPage page = store.page(EventQuery.builder().sessionId("s1").build(), cursor, 1000);
 *   page.events().forEach(System.out::println);
 *   cursor = page.nextCursor().orElse(null);
 * } while (cursor != null);
 * }</pre>
 *
 * @param events the page's events, oldest first
 * @param nextCursor where the next page starts; absent when this page is the last
 */
public record EventPage(List<HypervisorEvent> events, Optional<String> nextCursor) {
  /** Copies the events. */
  public EventPage {
    events = List.copyOf(events);
    if (nextCursor == null) {
      throw new IllegalArgumentException("nextCursor must not be null; use Optional.empty()");
    }
  }
}
