package io.hyperlens.audit;

import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustedKeys;
import io.hyperlens.audit.report.ComplianceReport;
import io.hyperlens.audit.report.ReportRequest;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBuilder;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.redact.Redactor;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The seed's immutable audit trail, made tamper-evident: every policy decision appended becomes an
 * {@link AuditRecord} chained to the one before by SHA-256 over RFC 8785 canonical JSON, and every
 * N records (and on close) an Ed25519-signed {@link Checkpoint} vouches for the chain so far.
 * {@link #verify()} proves the log was not edited, or names the first sequence that was.
 *
 * <pre>{@code
 * try (AuditLog log = AuditLog.open(Path.of("audit"))) {
 *   log.append(
 *       AuditEntry.builder()
 *           .agentId("agent-001")
 *           .action("file_write")
 *           .resource("/prod/config.yaml")
 *           .decision(Decision.DENY)
 *           .reason("Production writes blocked")
 *           .ruleId("rule-005")
 *           .context(Map.of("user", "system", "session_id", "sess-123"))
 *           .build());
 *   List<AuditRecord> violations =
 *       log.query(
 *           AuditQuery.builder().decision(Decision.DENY).timeRange("last_24h").limit(100).build());
 *   VerificationReport report = log.verify();
 * }
 * }</pre>
 *
 * <p>Secrets are redacted from {@code resource}, {@code reason} and {@code context} before the
 * record is hashed and stored (with {@link Redactor}, the rules the JSON logs use), so a leaked key
 * never becomes a permanent, signed part of the trail.
 *
 * <p>With an event bus attached, each committed record is announced as an {@link
 * EventType#AUDIT_COMMITTED} event (payload {@code audit_id}, {@code sequence}, {@code hash},
 * {@code decision}, {@code action}, {@code rule_id}, and {@code checkpoint} when one was signed);
 * shipping those off the machine gives verifiers an anchor. The bus isolates its subscribers, so
 * none of them can fail an append.
 *
 * <p>Thread-safe: appends are serialized (sequence numbers strictly increase with no gaps); queries
 * and verification read the store beside them. A failed store write throws from {@link #append} and
 * leaves the log as it was: an audit record is never silently dropped.
 */
public final class AuditLog implements AutoCloseable {
  /** The store file {@link #open(Path)} uses inside its directory. */
  public static final String STORE_FILE = "audit.jsonl";

  /** The key file {@link #open(Path)} uses (or generates) inside its directory. */
  public static final String KEY_FILE = "audit-key.pem";

  private static final System.Logger LOG = System.getLogger(AuditLog.class.getName());

  private final AuditStore store;
  private final int checkpointEvery;
  private final Clock clock;
  private final HypervisorEventBus eventBus;
  private final Redactor redactor = Redactor.standard();
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LongAdder checkpointsWritten = new LongAdder();
  private final LongAdder checkpointFailures = new LongAdder();

  private volatile AuditSigner signer;
  private volatile TrustedKeys trustedKeys;

  /** The last record of the chain, null for an empty log: sequence and hash both come from it. */
  private volatile AuditRecord head;

  private final long openedAt;
  private volatile Checkpoint lastCheckpoint;

  AuditLog(
      AuditStore store,
      AuditSigner signer,
      TrustedKeys trustedKeys,
      int checkpointEvery,
      Clock clock,
      HypervisorEventBus eventBus) {
    this.store = store;
    this.signer = signer;
    this.trustedKeys = trustedKeys.with(signer.publicKey());
    this.checkpointEvery = checkpointEvery;
    this.clock = clock;
    this.eventBus = eventBus;
    this.head = store.lastRecord().orElse(null);
    this.openedAt = lastSequence();
    this.lastCheckpoint = store.lastCheckpoint().filter(this::trustworthy).orElse(null);
  }

  /**
   * Whether the store's last checkpoint can be continued from: signed by a trusted key and agreeing
   * with the last record. A forged or foreign one is ignored (and reported by {@link #verify()});
   * the log then seals what it has before its next record.
   */
  private boolean trustworthy(Checkpoint c) {
    boolean ok =
        trustedKeys.verifies(c)
            && c.sequence() <= lastSequence()
            && (c.sequence() < lastSequence() || c.hash().equals(lastHash()));
    if (!ok) {
      LOG.log(
          Level.WARNING,
          "the audit store's last checkpoint (sequence "
              + c.sequence()
              + ", key "
              + c.keyId()
              + ") does not hold; a new one is signed before the next record");
    }
    return ok;
  }

  /** A builder; {@code store} and {@code signer} are required. */
  public static AuditLogBuilder builder() {
    return new AuditLogBuilder();
  }

  /**
   * Opens (or starts) the log kept in {@code directory}: records in {@value #STORE_FILE}, signed
   * with the key in {@value #KEY_FILE}, generated owner-only on first use (its public half beside
   * it in {@code audit-key.pem.pub}). Checkpoints every 1000 records. Every {@code *.pub} file in
   * the directory is trusted when verifying, so the public halves of rotated keys kept there keep
   * their checkpoints verifiable.
   *
   * @throws java.io.UncheckedIOException if the directory cannot be used
   */
  public static AuditLog open(Path directory) {
    if (directory == null) {
      throw new IllegalArgumentException("directory must not be null");
    }
    Path keyFile = directory.resolve(KEY_FILE);
    AuditSigner signer =
        Files.exists(keyFile) ? AuditKeys.load(keyFile) : AuditKeys.generate(keyFile);
    return builder()
        .store(JsonLinesAuditStore.open(directory.resolve(STORE_FILE)))
        .signer(signer)
        .trustedKeys(TrustedKeys.loadAll(directory))
        .build();
  }

  /**
   * Records {@code entry} as the next record of the chain: redacts it, stamps it (the entry's
   * timestamp or the log's clock, to the millisecond), links and hashes it, stores it, and signs a
   * checkpoint when one is due. Blocks for the store's write.
   *
   * @return the committed record
   * @throws IllegalArgumentException if {@code entry} is null
   * @throws IllegalStateException if the log is closed
   * @throws java.io.UncheckedIOException if the store could not write it; nothing was recorded
   */
  public AuditRecord append(AuditEntry entry) {
    if (entry == null) {
      throw new IllegalArgumentException("entry must not be null");
    }
    String resource = redactor.redact(entry.resource());
    String reason = redactor.redact(entry.reason());
    Map<String, Object> context = ContextValues.copy(entry.context(), redactor);
    String id = entry.id() != null ? entry.id() : "audit-" + UUID.randomUUID();
    AuditRecord record;
    Checkpoint checkpoint = null;
    lock.lock();
    try {
      ensureOpen();
      if (lastSequence() + 1 > dueBy()) {
        // Opening a new log, or a checkpoint is overdue (a crash or a failed write): seal first,
        // so no record ever runs past the sequence the last checkpoint promised.
        writeCheckpoint();
      }
      Instant timestamp =
          (entry.timestamp() != null ? entry.timestamp() : clock.instant())
              .truncatedTo(ChronoUnit.MILLIS);
      long sequence = lastSequence() + 1;
      AuditRecord unhashed =
          new AuditRecord(
              id,
              timestamp,
              entry.agentId(),
              entry.action(),
              resource,
              entry.decision(),
              reason,
              entry.ruleId(),
              context,
              sequence,
              lastHash(),
              AuditRecord.GENESIS_HASH);
      record = unhashed.withHash(AuditJson.hash(unhashed));
      store.append(record);
      head = record;
      if (sequence >= dueBy()) {
        checkpoint = tryCheckpoint();
      }
    } finally {
      lock.unlock();
    }
    announce(record, checkpoint);
    return record;
  }

  /**
   * Signs and stores a checkpoint for the records so far, if any are not yet covered; returns the
   * latest checkpoint either way.
   *
   * @throws java.io.UncheckedIOException if the store could not write it
   */
  public Optional<Checkpoint> checkpoint() {
    lock.lock();
    try {
      ensureOpen();
      seal();
      return Optional.ofNullable(lastCheckpoint);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Signs from now on with {@code next}: first the records so far are sealed with the current key,
   * then {@code next}'s public key joins the keys {@link #verify()} trusts. Keep the old public key
   * for verifiers: its checkpoints stay in the log.
   */
  public void rotateKey(AuditSigner next) {
    if (next == null) {
      throw new IllegalArgumentException("next must not be null");
    }
    lock.lock();
    try {
      ensureOpen();
      seal();
      signer = next;
      trustedKeys = trustedKeys.with(next.publicKey());
    } finally {
      lock.unlock();
    }
  }

  /** The latest signed checkpoint: keep a copy elsewhere to anchor later verification. */
  public Optional<Checkpoint> latestCheckpoint() {
    return Optional.ofNullable(lastCheckpoint);
  }

  /** The sequence of the last record, 0 for an empty log. */
  public long lastSequence() {
    AuditRecord last = head;
    return last == null ? 0 : last.sequence();
  }

  private String lastHash() {
    AuditRecord last = head;
    return last == null ? AuditRecord.GENESIS_HASH : last.hash();
  }

  /** The key that signs checkpoints now. */
  public String keyId() {
    return signer.keyId();
  }

  /** The public keys this log's verification trusts: the configured ones and every signer's. */
  public TrustedKeys trustedKeys() {
    return trustedKeys;
  }

  /** The records matching {@code query}, oldest first; a relative range counts back from now. */
  public List<AuditRecord> query(AuditQuery query) {
    if (query == null) {
      throw new IllegalArgumentException("query must not be null");
    }
    return store.query(query.resolve(clock));
  }

  /**
   * The six-argument form: any argument may be null (not filtered), {@code limit} 0 means
   * no limit.
   */
  public List<AuditRecord> query(
      Decision decision, String agentId, String action, Instant from, Instant to, int limit) {
    AuditQueryBuilder builder =
        AuditQuery.builder().decision(decision).agentId(agentId).action(action);
    if (from != null) {
      builder.from(from);
    }
    if (to != null) {
      builder.to(to);
    }
    if (limit != 0) {
      builder.limit(limit);
    }
    return query(builder.build());
  }

  /**
   * Verifies the whole log with the keys it trusts, anchored at its current head (signed now, in
   * memory), so records cut off the end of the store are caught too.
   */
  public VerificationReport verify() {
    Checkpoint anchor = null;
    lock.lock();
    try {
      if (lastSequence() > 0) {
        anchor = sign(lastSequence(), lastHash(), Math.max(dueBy(), lastSequence() + 1));
      }
    } finally {
      lock.unlock();
    }
    return AuditVerifier.verify(store, trustedKeys, anchor);
  }

  /**
   * A compliance report over {@code request}'s time range: summary, violations, statistics and the
   * verification result with the checkpoint it rests on. Records not yet covered by a checkpoint
   * are sealed first, so the report's checkpoint vouches for every record in it.
   */
  public ComplianceReport generateReport(ReportRequest request) {
    if (request == null) {
      throw new IllegalArgumentException("request must not be null");
    }
    checkpoint();
    return ComplianceReport.generate(store, verify(), request, clock);
  }

  /** Records appended by this log since it was opened. */
  public long appendedCount() {
    return lastSequence() - openedAt;
  }

  /** Checkpoints this log has signed and stored. */
  public long checkpointCount() {
    return checkpointsWritten.sum();
  }

  /** Due checkpoints that could not be stored (retried at the next append). */
  public long checkpointFailures() {
    return checkpointFailures.sum();
  }

  /** Seals the records not yet covered with a final checkpoint, then closes the store. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      try {
        seal();
      } finally {
        store.close();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "AuditLog[" + store + ", sequence " + lastSequence() + ", key " + signer.keyId() + "]";
  }

  /** Signs a checkpoint for the records no checkpoint covers yet, if there are any. */
  private void seal() {
    Checkpoint c = lastCheckpoint;
    if (lastSequence() > (c == null ? 0 : c.sequence())) {
      writeCheckpoint();
    }
  }

  /** The sequence by which the next checkpoint is due; 0 before the log's opening checkpoint. */
  private long dueBy() {
    Checkpoint c = lastCheckpoint;
    return c == null ? 0 : c.nextBy();
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the audit log is closed");
    }
  }

  private Checkpoint tryCheckpoint() {
    try {
      return writeCheckpoint();
    } catch (RuntimeException e) {
      checkpointFailures.increment();
      LOG.log(Level.WARNING, "audit checkpoint at sequence " + lastSequence() + " failed", e);
      return null;
    }
  }

  private Checkpoint writeCheckpoint() {
    Checkpoint checkpoint = sign(lastSequence(), lastHash(), lastSequence() + checkpointEvery);
    store.append(checkpoint);
    lastCheckpoint = checkpoint;
    checkpointsWritten.increment();
    return checkpoint;
  }

  private Checkpoint sign(long sequence, String hash, long nextBy) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    AuditSigner s = signer;
    byte[] signature = s.sign(AuditJson.signedBytes(sequence, hash, nextBy, now, s.keyId()));
    return new Checkpoint(
        sequence,
        hash,
        nextBy,
        now,
        s.keyId(),
        java.util.Base64.getEncoder().encodeToString(signature));
  }

  private void announce(AuditRecord record, Checkpoint checkpoint) {
    if (eventBus == null) {
      return;
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("audit_id", record.id());
    payload.put("sequence", record.sequence());
    payload.put("hash", record.hash());
    payload.put("decision", record.decision().value());
    payload.put("action", record.action());
    payload.put("rule_id", record.ruleId());
    if (checkpoint != null) {
      payload.put("checkpoint", checkpoint.toMap());
    }
    HypervisorEventBuilder event =
        eventBus
            .eventBuilder(EventType.AUDIT_COMMITTED)
            .agentDid(record.agentId())
            .timestamp(record.timestamp())
            .payload(payload);
    Object session = record.context().get("session_id");
    if (session instanceof String && !((String) session).isBlank()) {
      try {
        event.sessionId((String) session);
      } catch (IllegalArgumentException e) {
        // a session id the bus cannot index (over 256 characters) stays in the record only
      }
    }
    eventBus.emit(event.build()); // the bus isolates its subscribers: this never throws
  }
}
