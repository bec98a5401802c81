package io.hyperlens.alerting;

import java.util.List;
import java.util.Map;

/**
 * {@link Alerting}'s counters at one moment.
 *
 * @param observed events, decisions and verifications taken for evaluation
 * @param dropped those refused because the queue was full or alerting closed
 * @param evaluations evaluations run
 * @param groupsOverflowed observations a rule could not keep for its group bound
 * @param storeFailures state-store calls that threw
 * @param evaluationFailures evaluations that threw (and were carried on from)
 * @param firing alerts firing now, by rule id
 * @param pending alerts pending now, by rule id
 * @param channels each channel's counters
 */
public record AlertingStats(
    long observed,
    long dropped,
    long evaluations,
    long groupsOverflowed,
    long storeFailures,
    long evaluationFailures,
    Map<String, Integer> firing,
    Map<String, Integer> pending,
    List<Channel> channels) {

  public AlertingStats {
    firing = Map.copyOf(firing);
    pending = Map.copyOf(pending);
    channels = List.copyOf(channels);
  }

  /**
   * One channel's notifications.
   *
   * @param name the channel's name
   * @param sent delivered (a 2xx)
   * @param failed given up on: a 4xx other than 429, or every attempt failed
   * @param retried attempts after the first
   * @param dropped never attempted: the outbox was full, or closed first
   * @param queued waiting or being sent now
   * @param lastError the last failure, redacted, or null
   */
  public record Channel(
      String name,
      long sent,
      long failed,
      long retried,
      long dropped,
      int queued,
      String lastError) {}
}
