package io.hyperlens.audit;

import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.tlog.NoteKey;
import io.hyperlens.audit.witness.Witness;
import io.hyperlens.event.HypervisorEventBus;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Builds an {@link AuditLog}. Setters check their value at once and throw {@link
 * IllegalArgumentException} naming it; {@link #build()} does no I/O beyond asking the store for its
 * last record. Not thread-safe.
 */
public final class AuditLogBuilder {
  /** Checkpoints are signed every this many records unless configured otherwise. */
  public static final int DEFAULT_CHECKPOINT_EVERY = 1000;

  private AuditStore store;
  private AuditSigner signer;
  private TrustAnchor anchor;
  private String origin;
  private Witness witness;
  private int witnessBacklog = AuditLog.MAX_WITNESS_BACKLOG;
  private int checkpointEvery = DEFAULT_CHECKPOINT_EVERY;
  private Clock clock = Clock.systemUTC();
  private HypervisorEventBus eventBus;
  private Path headDirectory;

  AuditLogBuilder() {}

  /** Where records and checkpoints go (required); the log closes it on {@link AuditLog#close()}. */
  public AuditLogBuilder store(AuditStore store) {
    if (store == null) {
      throw new IllegalArgumentException("store must not be null");
    }
    this.store = store;
    return this;
  }

  /**
   * The key that signs checkpoints (required): for a log that exists, the key that signs it now
   * (after a rotation, the new one).
   */
  public AuditLogBuilder signer(AuditSigner signer) {
    if (signer == null) {
      throw new IllegalArgumentException("signer must not be null");
    }
    this.signer = signer;
    return this;
  }

  /**
   * What {@link AuditLog#verify()} trusts; by default the signer's own key, which this process
   * holds.
   */
  public AuditLogBuilder anchor(TrustAnchor anchor) {
    if (anchor == null) {
      throw new IllegalArgumentException("anchor must not be null");
    }
    this.anchor = anchor;
    return this;
  }

  /**
   * The new log's origin, its identity in every checkpoint and the name of its keys (a schema-less
   * URL such as {@code audit.example.com/payments}; no spaces, no plus). Default: {@code
   * audit.hyperlens.local/} and the first key's 16-hex id. A log that exists keeps its own.
   */
  public AuditLogBuilder origin(String origin) {
    NoteKey.checkName(origin);
    this.origin = origin;
    return this;
  }

  /** Sends every checkpoint to {@code witness}, with a consistency proof. */
  public AuditLogBuilder witness(Witness witness) {
    if (witness == null) {
      throw new IllegalArgumentException("witness must not be null");
    }
    this.witness = witness;
    return this;
  }

  /**
   * Signs a checkpoint every {@code records} records (default 1000); 1 signs every record. Fewer
   * records between checkpoints means less that a power loss or a truncation can take unnoticed, at
   * the price of a signature and a disk sync each.
   */
  public AuditLogBuilder checkpointEvery(int records) {
    if (records < 1) {
      throw new IllegalArgumentException("checkpointEvery must be at least 1, got " + records);
    }
    this.checkpointEvery = records;
    return this;
  }

  /** The clock that stamps records and checkpoints and resolves {@code last_24h}. */
  public AuditLogBuilder clock(Clock clock) {
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    this.clock = clock;
    return this;
  }

  /** Announces each committed record on {@code eventBus} as {@code AUDIT_COMMITTED}. */
  public AuditLogBuilder eventBus(HypervisorEventBus eventBus) {
    if (eventBus == null) {
      throw new IllegalArgumentException("eventBus must not be null");
    }
    this.eventBus = eventBus;
    return this;
  }

  /**
   * Where the writer remembers the last checkpoint it signed for each log (one small file per
   * origin, {@code <origin>.head}), kept where the log's directory is not: {@link
   * AuditLog#open(Path)} uses the key directory. Opening a log whose end lies behind what the
   * writer remembers (its last checkpoints deleted, the log rewritten or restored from an older
   * copy) then fails instead of signing whatever the file holds. Default: none.
   */
  public AuditLogBuilder headDirectory(Path directory) {
    if (directory == null) {
      throw new IllegalArgumentException("headDirectory must not be null");
    }
    this.headDirectory = directory;
    return this;
  }

  /** For tests: how many leaf hashes to keep for a lagging witness. */
  AuditLogBuilder witnessBacklog(int leaves) {
    this.witnessBacklog = leaves;
    return this;
  }

  /**
   * The log, continuing the chain and tree from the store's last record (reading the records after
   * the last checkpoint).
   *
   * @throws IllegalStateException without a store or a signer, when the store's log is not signed
   *     by the signer, or when it ends before the last checkpoint the writer remembers signing
   */
  public AuditLog build() {
    if (store == null) {
      throw new IllegalStateException("store is required");
    }
    if (signer == null) {
      throw new IllegalStateException("signer is required");
    }
    return new AuditLog(
        store,
        signer,
        origin,
        anchor,
        witness,
        checkpointEvery,
        clock,
        eventBus,
        witnessBacklog,
        headDirectory);
  }
}
