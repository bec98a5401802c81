package io.hyperlens.audit;

import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.report.ComplianceReport;
import io.hyperlens.audit.report.ReportRequest;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.audit.tlog.CompactRange;
import io.hyperlens.audit.tlog.MerkleTree;
import io.hyperlens.audit.tlog.NoteKey;
import io.hyperlens.audit.tlog.Origins;
import io.hyperlens.audit.tlog.SignedNote;
import io.hyperlens.audit.witness.Witness;
import io.hyperlens.audit.witness.WitnessException;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBuilder;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.governance.DecisionRecorder;
import io.hyperlens.governance.PolicyDecision;
import io.hyperlens.redact.Redactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The seed's immutable audit trail, made tamper-evident: every policy decision appended becomes an
 * {@link AuditRecord} chained to the one before by SHA-256 over RFC 8785 canonical JSON and placed
 * as a leaf of an RFC 6962 Merkle tree; every N records (and on close) an Ed25519-signed {@link
 * Checkpoint} in the C2SP format vouches for the tree so far. {@link #verify()} proves the log was
 * not edited, or names the first sequence that was; {@link AuditProofs} gives offline receipts for
 * single records.
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
 * <p><b>Keys and trust.</b> The log's genesis checkpoint names the key that signs it; {@link
 * #rotateKey} hands over to a new key with a checkpoint signed by both. The private key never sits
 * in the log's directory ({@link AuditKeys#defaultKeyDirectory()}), and verification trusts only a
 * {@link TrustAnchor}, never a key found beside the log.
 *
 * <p>Secrets are redacted from {@code resource}, {@code reason} and {@code context} before the
 * record is hashed and stored (with {@link Redactor}, the rules the JSON logs use), so a leaked key
 * never becomes a permanent, signed part of the trail.
 *
 * <p>With an event bus attached, each committed record is announced as an {@link
 * EventType#AUDIT_COMMITTED} event (payload {@code audit_id}, {@code sequence}, {@code hash},
 * {@code decision}, {@code action}, {@code rule_id}, and {@code checkpoint} when one was signed).
 * With a {@link Witness}, every checkpoint is sent to it with a consistency proof; a witness that
 * refuses or cannot be reached is counted and logged, never fails an append.
 *
 * <p>Thread-safe: appends are serialized (sequence numbers strictly increase with no gaps); queries
 * and verification read the store beside them. A failed store write throws from {@link #append} and
 * leaves the log as it was: an audit record is never silently dropped.
 */
public final class AuditLog implements AutoCloseable, DecisionRecorder {
  /** The store file {@link #open(Path)} uses inside its directory. */
  public static final String STORE_FILE = "audit.jsonl";

  /** Leaf hashes kept for a lagging witness before the log reads its store instead (32 MiB). */
  static final int MAX_WITNESS_BACKLOG = 1 << 20;

  private final int witnessBacklogLimit;

  private static final System.Logger LOG = System.getLogger(AuditLog.class.getName());

  private final AuditStore store;
  private final int checkpointEvery;
  private final Clock clock;
  private final HypervisorEventBus eventBus;
  private final TrustAnchor anchor;
  private final Witness witness;
  private final String origin;
  private final Redactor redactor = Redactor.standard();
  private final ReentrantLock lock = new ReentrantLock();

  /** Where each record's canonical bytes are written to be hashed (under the lock). */
  private final JsonBuffer canonical = CanonicalJson.buffer();

  /**
   * The last record's timestamp, and as written (under the lock): records often share a millisecond
   * at high rates, and formatting one costs about a seventh of the record's hash.
   */
  private Instant stampInstant;

  private String stamp;

  /** Record ids for entries without one (under the lock). */
  private final RecordIds ids = new RecordIds();

  private final AtomicBoolean closed = new AtomicBoolean();
  private final LongAdder checkpointsWritten = new LongAdder();
  private final LongAdder checkpointFailures = new LongAdder();
  private final LongAdder witnessFailures = new LongAdder();

  private volatile AuditSigner signer;

  /** The last record of the chain, null for an empty log: sequence and hash both come from it. */
  private volatile AuditRecord head;

  /** The tree of every record, as its frontier (under the lock). */
  private final CompactRange tree;

  private final long openedAt;
  private volatile Checkpoint lastCheckpoint;

  /**
   * The tree the witness last took and the leaves since, for a cheap consistency proof; null when
   * the proof must be built from the store (after a backlog overflow).
   */
  private CompactRange witnessBase;

  private final List<byte[]> witnessBacklog = new ArrayList<>();

  /** Whether the store ends in a checkpoint this log did not sign: seal before the next record. */
  private boolean sealBeforeNext;

  private volatile long witnessedSize = -1;

  /** The head file's first line when the writer closed the log with the checkpoint below. */
  private static final String CLOSED = "closed";

  /** The head file's first line while the writer may append after the checkpoint below. */
  private static final String OPEN = "open";

  /** Where the last checkpoint this writer signed is remembered, or null. */
  private final Path headFile;

  private final LongAdder headFailures = new LongAdder();

  AuditLog(
      AuditStore store,
      AuditSigner signer,
      String origin,
      TrustAnchor anchor,
      Witness witness,
      int checkpointEvery,
      Clock clock,
      HypervisorEventBus eventBus,
      int witnessBacklogLimit,
      Path headDirectory) {
    this.store = store;
    this.witnessBacklogLimit = witnessBacklogLimit;
    this.signer = signer;
    this.checkpointEvery = checkpointEvery;
    this.clock = clock;
    this.eventBus = eventBus;
    this.witness = witness;
    this.head = store.lastRecord().orElse(null);
    this.openedAt = lastSequence();
    Checkpoint last = store.lastCheckpoint().orElse(null);
    if (last == null) {
      if (head != null) {
        throw new IllegalStateException(
            "the audit store "
                + store
                + " holds records but no checkpoint; verify it with AuditVerifier");
      }
      this.origin =
          origin != null ? origin : "audit.hyperlens.local/" + signer.keyId().substring(8);
      this.tree = new CompactRange();
    } else {
      if (origin != null && !origin.equals(last.origin())) {
        throw new IllegalArgumentException(
            "origin must be the log's own, " + last.origin() + ", got " + origin);
      }
      this.origin = last.origin();
      this.tree = continueTree(last);
    }
    this.anchor = anchor != null ? anchor : TrustAnchor.signers(List.of(signer));
    this.headFile =
        headDirectory == null
            ? null
            : headDirectory.resolve(Origins.fileName(this.origin) + ".head");
    if (headFile != null) {
      checkAgainstHead();
    }
  }

  /**
   * Refuses a log that ends before the last checkpoint this writer remembers signing for it: its
   * last checkpoints were deleted (to hide a rewrite of what they signed, which signing on would
   * bless), or it was restored from an older copy.
   */
  private void checkAgainstHead() {
    String text;
    try {
      if (!Files.exists(headFile)) {
        return;
      }
      text = Files.readString(headFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + headFile, e);
    }
    Checkpoint remembered;
    boolean closedThere = text.startsWith(CLOSED);
    try {
      if (!closedThere && !text.startsWith(OPEN)) {
        throw new IllegalArgumentException("it starts with neither " + CLOSED + " nor " + OPEN);
      }
      remembered = Checkpoint.of(SignedNote.parse(text.substring(text.indexOf('\n') + 1)), null);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          headFile + " is damaged (" + e.getMessage() + "); delete it to trust the log as it is",
          e);
    }
    Checkpoint last = lastCheckpoint;
    long size = remembered.sequence();
    String problem = null;
    if (closedThere && last != null && size == last.sequence() && lastSequence() > size) {
      // the writer closed the log with this checkpoint: nothing of its own can follow it
      problem =
          "holds records "
              + (size + 1)
              + " to "
              + lastSequence()
              + " after the checkpoint this writer signed when it closed the log at "
              + size
              + ": they were added by someone else";
    } else if (last == null || size > last.sequence()) {
      problem =
          (last == null ? "holds no checkpoint" : "ends with the checkpoint for " + last.sequence())
              + ", but this writer signed one for "
              + size
              + " at "
              + AuditJson.formatTimestamp(remembered.timestamp())
              + ": checkpoints were deleted, or the log was restored from an older copy";
    } else if (size > lastSequence()
        || !Arrays.equals(
            remembered.root(),
            size == last.sequence() ? last.root() : AuditProofs.tree(store, size).root())) {
      problem =
          "no longer holds the records this writer signed at " + size + ": they were rewritten";
    }
    if (problem != null) {
      throw new IllegalStateException(
          "the audit log "
              + store.location()
              + " ("
              + origin
              + ") "
              + problem
              + ". Verify it with `hyperlens audit verify`; to go on from what it holds, delete "
              + headFile);
    }
  }

  /**
   * Remembers {@code checkpoint} as the last this writer signed, and whether it closed the log with
   * it; a failure is logged.
   */
  private void rememberHead(Checkpoint checkpoint, boolean closing) {
    try {
      Files.createDirectories(headFile.getParent());
      Path temp = Files.createTempFile(headFile.getParent(), ".head", ".tmp");
      try {
        Files.writeString(
            temp,
            (closing ? CLOSED : OPEN) + "\n" + checkpoint.note().format(),
            StandardCharsets.UTF_8);
        Files.move(
            temp, headFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException | RuntimeException e) {
      headFailures.increment();
      LOG.log(
          Level.WARNING,
          "cannot remember checkpoint " + checkpoint.sequence() + " in " + headFile,
          e);
    }
  }

  /**
   * The tree up to the last record, from the last checkpoint's frontier and the records after it
   * when that checkpoint is this signer's; otherwise from every record, continuing after the last
   * checkpoint this signer did sign (a forged or foreign one at the end is not continued from; it
   * is reported by {@link #verify()}).
   */
  private CompactRange continueTree(Checkpoint last) {
    NoteKey key = signer.noteKey(last.origin());
    boolean ours =
        key.check(last.note()) == NoteKey.Verdict.VERIFIED
            && last.key().map(key::sameKey).orElse(true);
    if (ours && last.frontier().isPresent() && last.sequence() <= lastSequence()) {
      CompactRange range = CompactRange.of(last.sequence(), last.frontier().get());
      boolean contiguous = true;
      for (AuditRecord record : store.recordsAfter(last.sequence())) {
        if (record.sequence() != range.size() + 1) {
          contiguous = false;
          break;
        }
        range.append(HexFormat.of().parseHex(record.hash()));
      }
      if (contiguous && range.size() == lastSequence()) {
        lastCheckpoint = last;
        return range;
      }
    }
    CompactRange range = new CompactRange();
    Checkpoint sound = null;
    try (Stream<StoredEntry> entries = store.entries()) {
      for (Iterator<StoredEntry> it = entries.iterator(); it.hasNext(); ) {
        StoredEntry entry = it.next();
        if (entry instanceof StoredEntry.StoredRecord) {
          AuditRecord record = ((StoredEntry.StoredRecord) entry).record();
          if (record.sequence() == range.size() + 1) {
            range.append(HexFormat.of().parseHex(record.hash()));
          }
        } else if (entry instanceof StoredEntry.StoredCheckpoint) {
          Checkpoint c = ((StoredEntry.StoredCheckpoint) entry).checkpoint();
          if (c.origin().equals(last.origin()) && key.check(c.note()) == NoteKey.Verdict.VERIFIED) {
            sound = c.key().map(key::sameKey).orElse(true) ? c : null;
          }
        }
      }
    }
    if (sound == null) {
      throw new IllegalStateException(
          "the audit log in "
              + store
              + " is not signed by this signer's key "
              + signer.fingerprint()
              + "; open it with the key that signs it now");
    }
    LOG.log(
        Level.WARNING,
        "the audit store's last checkpoint (sequence "
            + last.sequence()
            + ") is not this log's; continuing after the last one it signed (sequence "
            + sound.sequence()
            + "), and a new one is signed before the next record");
    lastCheckpoint = sound;
    sealBeforeNext = true;
    return range;
  }

  /** A builder; {@code store} and {@code signer} are required. */
  public static AuditLogBuilder builder() {
    return new AuditLogBuilder();
  }

  /**
   * Opens (or starts) the log kept in {@code directory}, in {@value #STORE_FILE}, with its key in
   * {@link AuditKeys#defaultKeyDirectory()} (generated there, owner-only, for a new log).
   * Verification trusts the keys held there. Checkpoints every 1000 records.
   *
   * @throws IllegalStateException if the log is signed by a key the key directory does not hold
   * @throws java.io.UncheckedIOException if a directory cannot be used
   */
  public static AuditLog open(Path directory) {
    return open(directory, AuditKeys.defaultKeyDirectory(), null);
  }

  /** As {@link #open(Path)}, verifying against {@code anchor}. */
  public static AuditLog open(Path directory, TrustAnchor anchor) {
    return open(directory, AuditKeys.defaultKeyDirectory(), anchor);
  }

  /**
   * Opens (or starts) the log in {@code directory} with its key in {@code keyDirectory}: the key
   * that signs the log now, found by its public half, or a new one for a new log. The writer also
   * remembers there the last checkpoint it signed ({@link AuditLogBuilder#headDirectory}), and
   * refuses a log that ends before it. Verification trusts {@code anchor}, or the keys held in
   * {@code keyDirectory} when it is null.
   *
   * @throws IllegalStateException if the log is signed by a key {@code keyDirectory} does not hold,
   *     or ends before the last checkpoint signed for it
   * @throws java.io.UncheckedIOException if a directory cannot be used
   */
  public static AuditLog open(Path directory, Path keyDirectory, TrustAnchor anchor) {
    return open(directory, keyDirectory, anchor, null);
  }

  /**
   * As {@link #open(Path, Path, TrustAnchor)}, sending every checkpoint to {@code witness} (null
   * for none).
   */
  public static AuditLog open(
      Path directory, Path keyDirectory, TrustAnchor anchor, Witness witness) {
    if (directory == null || keyDirectory == null) {
      throw new IllegalArgumentException("directory and keyDirectory must not be null");
    }
    if (realPath(keyDirectory).startsWith(realPath(directory))) {
      throw new IllegalArgumentException(
          "keyDirectory must not be the log's directory or inside it (whoever can write the log"
              + " could then sign it), got "
              + keyDirectory
              + " for the log in "
              + directory);
    }
    JsonLinesAuditStore store = JsonLinesAuditStore.open(directory.resolve(STORE_FILE));
    try {
      AuditSigner signer = signerFor(store, keyDirectory);
      AuditLogBuilder builder =
          builder()
              .store(store)
              .signer(signer)
              .headDirectory(keyDirectory)
              .anchor(anchor != null ? anchor : TrustAnchor.heldKeys(keyDirectory));
      if (witness != null) {
        builder.witness(witness);
      }
      return builder.build();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** {@code path} with its symbolic links resolved as far as it exists. */
  private static Path realPath(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return absolute;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(absolute));
    } catch (IOException e) {
      return absolute;
    }
  }

  /** The key in {@code keyDirectory} that signs the log in {@code store} now; new for a new log. */
  private static AuditSigner signerFor(AuditStore store, Path keyDirectory) {
    Optional<Checkpoint> last = store.lastCheckpoint();
    if (last.isEmpty()) {
      return AuditKeys.generateIn(keyDirectory);
    }
    Checkpoint c = last.get();
    for (AuditSigner candidate : AuditKeys.loadAll(keyDirectory)) {
      NoteKey key = candidate.noteKey(c.origin());
      if (c.key().map(key::sameKey).orElse(key.check(c.note()) == NoteKey.Verdict.VERIFIED)) {
        return candidate;
      }
    }
    String named =
        c.key()
            .map(k -> "key " + AuditKeys.fingerprint(k.publicKey()))
            .orElse(
                "a key (signature id "
                    + String.format("%08x", c.note().signatures().get(0).keyId())
                    + ")");
    throw new IllegalStateException(
        "the audit log "
            + store.location()
            + " ("
            + c.origin()
            + ") is signed by "
            + named
            + " whose private key is not in "
            + keyDirectory
            + "; give the key directory that holds it");
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
    AuditRecord record;
    Checkpoint checkpoint = null;
    lock.lock();
    try {
      ensureOpen();
      if (sealBeforeNext || lastSequence() + 1 > dueBy()) {
        // Opening a new log, or a checkpoint is overdue (a crash or a failed write): seal first,
        // so no record ever runs past the sequence the last checkpoint promised.
        writeCheckpoint(null);
      }
      String id = entry.id() != null ? entry.id() : ids.next();
      Instant timestamp =
          (entry.timestamp() != null ? entry.timestamp() : clock.instant())
              .truncatedTo(ChronoUnit.MILLIS);
      long sequence = lastSequence() + 1;
      String prevHash = lastHash();
      if (!timestamp.equals(stampInstant)) {
        stamp = AuditJson.formatTimestamp(timestamp);
        stampInstant = timestamp;
      }
      // Hashed from the fields, so the record is built (and its fields checked) once.
      byte[] leaf =
          AuditJson.leafHash(
              canonical,
              id,
              stamp,
              entry.agentId(),
              entry.action(),
              resource,
              entry.decision(),
              reason,
              entry.ruleId(),
              context,
              sequence,
              prevHash);
      record =
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
              prevHash,
              AuditJson.hex(leaf));
      store.append(record);
      head = record;
      tree.append(leaf);
      if (witnessBase != null) {
        if (witnessBacklog.size() < witnessBacklogLimit) {
          witnessBacklog.add(leaf);
        } else {
          witnessBase = null; // read the store when the witness is next reached
          witnessBacklog.clear();
        }
      }
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
   * Appends a policy decision ({@link DecisionRecorder}, as {@code AgentOsTelemetry} reports one):
   * {@code policy} is the record's rule id, the decision's reason its reason, {@code context} its
   * context.
   *
   * @throws IllegalArgumentException if a field is not one an {@link AuditEntry} takes
   * @throws java.io.UncheckedIOException if the store could not write it
   */
  @Override
  public void record(
      String agent,
      String action,
      String resource,
      String policy,
      PolicyDecision decision,
      Map<String, ?> context) {
    if (decision == null) {
      throw new IllegalArgumentException("decision must not be null");
    }
    append(
        AuditEntry.builder()
            .agentId(agent)
            .action(action)
            .resource(resource)
            .decision(Decision.of(decision.decision()))
            .reason(decision.reason())
            .ruleId(policy)
            .context(context == null ? Map.of() : context)
            .build());
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
   * Signs from now on with {@code next}: the records so far are sealed with the current key, then a
   * rotation checkpoint naming {@code next}, signed by both keys, hands over. A verifier that
   * trusts any key of the chain follows it.
   *
   * @throws IllegalArgumentException if {@code next} is null or the key already in use
   */
  public void rotateKey(AuditSigner next) {
    if (next == null) {
      throw new IllegalArgumentException("next must not be null");
    }
    lock.lock();
    try {
      ensureOpen();
      if (next.fingerprint().equals(signer.fingerprint())) {
        throw new IllegalArgumentException(
            "next must be a new key, got the one in use " + next.fingerprint());
      }
      seal();
      writeCheckpoint(next);
      signer = next;
    } finally {
      lock.unlock();
    }
  }

  /** The latest signed checkpoint. */
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

  /** The log's origin: its identity in checkpoints, and the name of its keys. */
  public String origin() {
    return origin;
  }

  /** The key that signs checkpoints now, {@code ed25519:<16 hex>}. */
  public String keyId() {
    return signer.keyId();
  }

  /** The fingerprint of the key that signs checkpoints now, {@code SHA256:<hex>}. */
  public String fingerprint() {
    return signer.fingerprint();
  }

  /** What {@link #verify()} trusts. */
  public TrustAnchor anchor() {
    return anchor;
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
   * Verifies the whole log against the log's anchor and its witness, and against its current head
   * (signed now, in memory), so records cut off the end of the store are caught too.
   */
  public VerificationReport verify() {
    Checkpoint now;
    lock.lock();
    try {
      now = sign(lastSequence(), Math.max(dueBy(), lastSequence() + 1), null);
    } finally {
      lock.unlock();
    }
    Checkpoint headCheckpoint = now;
    try (Stream<StoredEntry> entries = store.entries()) {
      return AuditVerifier.verify(
          entries.iterator(),
          anchor,
          o -> {
            List<Checkpoint> observed = new ArrayList<>();
            if (witness != null) {
              try {
                for (SignedNote note : witness.checkpoints(o)) {
                  observed.add(Checkpoint.of(note, null));
                }
              } catch (WitnessException | RuntimeException e) {
                LOG.log(Level.WARNING, witness.description() + " cannot be read", e);
              }
            }
            if (headCheckpoint.sequence() > 0) {
              observed.add(headCheckpoint);
            }
            observed.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
            return observed;
          },
          store.location(),
          witness == null ? "the live log" : witness.description());
    }
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

  /** Checkpoints that could not be remembered in the head directory (logged each time). */
  public long headFailures() {
    return headFailures.sum();
  }

  /** Checkpoints the witness refused or could not take. */
  public long witnessFailures() {
    return witnessFailures.sum();
  }

  /** The size of the last checkpoint the witness took from this log, -1 before any. */
  public long witnessedSize() {
    return witnessedSize;
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
        if (headFile != null && lastCheckpoint != null) {
          rememberHead(lastCheckpoint, true);
        }
      } finally {
        store.close();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "AuditLog["
        + origin
        + ", "
        + store
        + ", sequence "
        + lastSequence()
        + ", key "
        + signer.keyId()
        + "]";
  }

  /** Signs a checkpoint for the records no checkpoint covers yet, or the genesis of a new log. */
  private void seal() {
    Checkpoint c = lastCheckpoint;
    if (c == null || sealBeforeNext || lastSequence() > c.sequence()) {
      writeCheckpoint(null);
    }
  }

  /** The sequence by which the next checkpoint is due; 0 before the log's genesis. */
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
      return writeCheckpoint(null);
    } catch (RuntimeException e) {
      checkpointFailures.increment();
      LOG.log(Level.WARNING, "audit checkpoint at sequence " + lastSequence() + " failed", e);
      return null;
    }
  }

  /**
   * Signs, stores and witnesses a checkpoint of the tree now: the genesis (naming the key) for a
   * new log, a rotation to {@code next} when given, else a plain one.
   */
  private Checkpoint writeCheckpoint(AuditSigner next) {
    Checkpoint checkpoint = sign(lastSequence(), lastSequence() + checkpointEvery, next);
    store.append(checkpoint);
    lastCheckpoint = checkpoint;
    sealBeforeNext = false;
    checkpointsWritten.increment();
    if (headFile != null) {
      rememberHead(checkpoint, false);
    }
    if (witness != null) {
      witness(checkpoint);
    }
    return checkpoint;
  }

  private Checkpoint sign(long size, long nextBy, AuditSigner next) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    AuditSigner s = signer;
    NoteKey named =
        next != null ? next.noteKey(origin) : lastCheckpoint == null ? s.noteKey(origin) : null;
    String text = Checkpoint.text(origin, size, tree.root(), nextBy, now, named);
    SignedNote note = SignedNote.unsigned(text);
    note = note.with(s.noteKey(origin).signature(s.sign(note.signedBytes())));
    if (next != null) {
      note = note.with(next.noteKey(origin).signature(next.sign(note.signedBytes())));
    }
    return Checkpoint.of(note, tree.hashes());
  }

  /**
   * Sends {@code checkpoint} to the witness with a consistency proof from the size it holds. A
   * witness that has never seen this log is given its genesis first; one that holds another size
   * than expected is answered with a proof from that size, read from the store.
   */
  private void witness(Checkpoint checkpoint) {
    try {
      if (witnessedSize < 0) {
        // First contact, or after a conflict: bring the witness up to date from the store
        // (genesis, rotations, then this checkpoint), as `hyperlens audit witness` would.
        witnessedSize = AuditProofs.witness(store, witness);
        witnessBase = tree.copy();
        witnessBacklog.clear();
        return;
      }
      if (witnessedSize == checkpoint.sequence() && checkpoint.key().isEmpty()) {
        return;
      }
      List<byte[]> proof =
          witnessBase != null && witnessBase.size() == witnessedSize
              ? MerkleTree.consistencyProof(witnessBase, witnessBacklog)
              : AuditProofs.tree(store, checkpoint.sequence())
                  .consistencyProof(witnessedSize, checkpoint.sequence());
      witness.addCheckpoint(witnessedSize, proof, checkpoint.note());
      witnessedSize = checkpoint.sequence();
      witnessBase = tree.copy();
      witnessBacklog.clear();
    } catch (WitnessException e) {
      witnessFailures.increment();
      if (e.reason() == WitnessException.Reason.CONFLICT) {
        witnessedSize = -1; // the witness holds something else: catch it up from the store
      }
      LOG.log(
          Level.WARNING,
          witness.description()
              + " did not take checkpoint "
              + checkpoint.sequence()
              + " of "
              + origin
              + " ("
              + e.reason()
              + "): "
              + e.getMessage());
    } catch (RuntimeException e) {
      witnessFailures.increment();
      LOG.log(Level.WARNING, witness.description() + " failed", e);
    }
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
