package io.hyperlens.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A one-node KRaft Kafka (broker and controller combined) inside the test JVM, from Kafka's own
 * {@link KafkaClusterTestKit}.
 */
public final class InJvmKafka implements AutoCloseable {
  private final KafkaClusterTestKit cluster;

  private InJvmKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** Formats and starts a cluster, and waits until its broker is ready. */
  public static InJvmKafka start() throws Exception {
    KafkaClusterTestKit cluster =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("num.partitions", "4")
            .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    return new InJvmKafka(cluster);
  }

  /** {@code host:port} of the broker. */
  public String bootstrap() {
    return cluster.bootstrapServers();
  }

  /** Creates {@code topics} with {@code partitions} partitions each. */
  public void createTopics(int partitions, String... topics) throws Exception {
    try (Admin admin = admin()) {
      List<NewTopic> created =
          java.util.Arrays.stream(topics).map(t -> new NewTopic(t, partitions, (short) 1)).toList();
      admin.createTopics(created).all().get();
      ConsumerGroups.awaitLeaders(admin, List.of(topics));
    }
  }

  /** An admin client; close it. */
  public Admin admin() {
    return Admin.create(Map.of("bootstrap.servers", bootstrap()));
  }

  /** A consumer of bytes outside any group, reading from the beginning; close it. */
  public KafkaConsumer<byte[], byte[]> consumer() {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(config);
  }

  /** Topic names on the cluster. */
  public Set<String> topics() throws Exception {
    try (Admin admin = admin()) {
      return admin.listTopics().names().get();
    }
  }

  @Override
  public void close() {
    try {
      cluster.close();
    } catch (Exception e) {
      throw new IllegalStateException("the Kafka test cluster did not close", e);
    }
  }
}
