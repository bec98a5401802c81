package io.hyperlens.store;

/**
 * What a {@link PersistentEventSink} has done with what it was given. Every event it was given is
 * counted exactly once in {@code stored}, {@code duplicates}, {@code dropped}, {@code rejected} or
 * {@code failed} once it has left the queue; {@code queued} are still waiting.
 *
 * @param accepted events taken into the queue
 * @param stored events committed, new to the store
 * @param duplicates events committed whose id the store already held (stored once, as promised)
 * @param dropped events not queued: the queue was full (after the block timeout) or the sink closed
 * @param rejected events the store cannot hold (bad input; each is logged once per sink)
 * @param failed events not committed: the store stayed down past the retry time (ASYNC), refused
 *     the batch (SYNC), or the close deadline passed
 * @param retries batch writes retried after a store failure
 * @param queued events accepted and not yet committed or failed
 * @param spansStored spans committed through {@link PersistentEventSink#spanExporter()}
 * @param spansFailed spans whose batch the store refused
 */
public record SinkStats(
    long accepted,
    long stored,
    long duplicates,
    long dropped,
    long rejected,
    long failed,
    long retries,
    long queued,
    long spansStored,
    long spansFailed) {}
