package io.hyperlens.kafka;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** What a broker says about a consumer group, for tests that wait on it. */
public final class ConsumerGroups {
  private ConsumerGroups() {}

  /** Members of {@code group} now; 0 when the group does not exist (yet) or cannot be asked. */
  public static int members(String bootstrap, String group) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      return admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().size();
    } catch (Exception e) {
      return 0;
    }
  }

  /**
   * Waits (up to 30 s) until every partition of {@code topics} has a leader: a producer that writes
   * to a topic in the moment after its creation can be answered NOT_LEADER_OR_FOLLOWER, and an
   * idempotent one then OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout.
   */
  public static void awaitLeaders(Admin admin, List<String> topics) throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (true) {
      boolean led;
      try {
        led =
            admin.describeTopics(topics).allTopicNames().get().values().stream()
                .flatMap(d -> d.partitions().stream())
                .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause()
            instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
          throw e;
        }
        led = false; // created, not yet in the broker's metadata
      }
      if (led) {
        Thread.sleep(200); // the leader has also taken the partition up
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no leader for every partition of " + topics);
      }
      Thread.sleep(50);
    }
  }
}
