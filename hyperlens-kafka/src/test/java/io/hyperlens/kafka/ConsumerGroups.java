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
}
