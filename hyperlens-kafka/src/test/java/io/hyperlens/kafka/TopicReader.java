package io.hyperlens.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** Reads a whole topic, every partition from its beginning to its end as of now. */
public final class TopicReader {
  private TopicReader() {}

  public static List<ConsumerRecord<byte[], byte[]>> readAll(
      KafkaConsumer<byte[], byte[]> consumer, String topic) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    List<TopicPartition> partitions =
        infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("could not read " + topic + " to its end in 60 s");
      }
      consumer.poll(Duration.ofMillis(200)).forEach(records::add);
    }
    return records;
  }
}
