package io.hyperlens.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hyperlens.audit.AuditEntry;
import io.hyperlens.audit.AuditJson;
import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.audit.AuditStore;
import io.hyperlens.audit.AuditVerifier;
import io.hyperlens.audit.Checkpoint;
import io.hyperlens.audit.Decision;
import io.hyperlens.audit.StoredEntry;
import io.hyperlens.audit.VerificationReport;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.audit.tlog.CompactRange;
import io.hyperlens.audit.tlog.MerkleProofs;
import io.hyperlens.audit.tlog.MerkleTree;
import io.hyperlens.audit.tlog.Rfc6962;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.erdtman.jcs.JsonCanonicalizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the audit trail costs per record, beside its floors and the way a user would do it by hand:
 *
 * <ul>
 *   <li>{@code sha256Floor}: a bare {@link MessageDigest} SHA-256 over the record's canonical
 *       bytes, the least any hash chain pays;
 *   <li>{@code hashReference}: the record printed with Jackson, canonicalized by the RFC 8785
 *       reference implementation ({@code JsonCanonicalizer}) and hashed: what a user would write;
 *   <li>{@code hashRecord}: {@link AuditJson#hash(AuditRecord)}, the same bytes written canonically
 *       in one pass;
 *   <li>{@code treeAppend}: what the RFC 6962 tree adds per record, a leaf into the log's {@link
 *       CompactRange} (the record's hash is its leaf hash, so the chain's hash is not paid twice);
 *   <li>{@code appendHashChain} / {@code appendSignEveryRecord}: {@link AuditLog#append} with
 *       redaction, hashing, the tree and a checkpoint every 1000 records, or an Ed25519 signed
 *       checkpoint on every record, into a store that keeps nothing (the log's own cost);
 *   <li>{@code appendToFile}: the same into {@link JsonLinesAuditStore} (a write per record, an
 *       fsync per checkpoint);
 *   <li>{@code verifyFile}: {@link AuditVerifier} over a 20,000-record file, per record.
 * </ul>
 */
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AuditBenchmark {
  static final int VERIFY_RECORDS = 20_000;
  static final ObjectMapper JSON = new ObjectMapper();

  final AuditEntry entry =
      AuditEntry.builder()
          .agentId("agent-001")
          .action("file_write")
          .resource("/prod/config.yaml")
          .decision(Decision.DENY)
          .reason("Production writes blocked")
          .ruleId("rule-005")
          .context(Map.of("user", "system", "session_id", "sess-123", "attempt", 2))
          .build();

  AuditRecord record;
  byte[] canonical;
  MessageDigest sha256;
  AuditLog chained;
  AuditLog signedEach;
  AuditLog toFile;
  Path dir;
  Path verifyFile;
  TrustAnchor keys;
  CompactRange range;
  byte[] leaf;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    AuditSigner signer = AuditSigner.generate();
    keys = TrustAnchor.key(signer.publicKey());
    range = new CompactRange();
    chained = AuditLog.builder().store(new DiscardingStore()).signer(signer).build();
    signedEach =
        AuditLog.builder().store(new DiscardingStore()).signer(signer).checkpointEvery(1).build();
    record = chained.append(entry);
    canonical = AuditJson.canonicalBytes(record);
    leaf = HexFormat.of().parseHex(record.hash());
    sha256 = MessageDigest.getInstance("SHA-256");
    if (!hashReference().equals(record.hash())) {
      throw new IllegalStateException("the reference canonicalizer disagrees with the chain");
    }
    dir = Files.createTempDirectory("audit-bench");
    toFile =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(dir.resolve("append.jsonl")))
            .signer(signer)
            .build();
    verifyFile = dir.resolve("verify.jsonl");
    try (AuditLog log =
        AuditLog.builder().store(JsonLinesAuditStore.open(verifyFile)).signer(signer).build()) {
      for (int i = 0; i < VERIFY_RECORDS; i++) {
        log.append(entry);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    toFile.close();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.delete(file);
      }
    }
    Files.delete(dir);
  }

  @Benchmark
  public byte[] sha256Floor() {
    return sha256.digest(canonical);
  }

  @Benchmark
  public String hashReference() throws IOException {
    ObjectNode json = (ObjectNode) JSON.readTree(AuditJson.toLine(record));
    json.remove("hash");
    return HexFormat.of()
        .formatHex(Rfc6962.leafHash(new JsonCanonicalizer(json.toString()).getEncodedUTF8()));
  }

  @Benchmark
  public String hashRecord() {
    return AuditJson.hash(record);
  }

  /** The Merkle tree's own cost per record: one leaf into the log's compact range. */
  @Benchmark
  public long treeAppend() {
    range.append(leaf);
    return range.size();
  }

  @Benchmark
  public AuditRecord appendHashChain() {
    return chained.append(entry);
  }

  @Benchmark
  public AuditRecord appendSignEveryRecord() {
    return signedEach.append(entry);
  }

  @Benchmark
  public AuditRecord appendToFile() {
    return toFile.append(entry);
  }

  @Benchmark
  @OperationsPerInvocation(VERIFY_RECORDS)
  public VerificationReport verifyFile() {
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(verifyFile)) {
      VerificationReport report = AuditVerifier.verify(store, keys);
      if (!report.ok()) {
        throw new IllegalStateException(report.summary());
      }
      return report;
    }
  }

  /** Keeps only what the log reads back (the last record and checkpoint): the log's own cost. */
  static final class DiscardingStore implements AuditStore {
    private AuditRecord last;
    private Checkpoint checkpoint;

    @Override
    public void append(AuditRecord record) {
      last = record;
    }

    @Override
    public void append(Checkpoint checkpoint) {
      this.checkpoint = checkpoint;
    }

    @Override
    public Optional<AuditRecord> lastRecord() {
      return Optional.ofNullable(last);
    }

    @Override
    public Optional<Checkpoint> lastCheckpoint() {
      return Optional.ofNullable(checkpoint);
    }

    @Override
    public Stream<StoredEntry> entries() {
      return Stream.empty();
    }

    @Override
    public void close() {}
  }

  /** Inclusion proofs in a tree of a million records: made from the tree, checked without it. */
  @State(Scope.Benchmark)
  public static class MillionLeaves {
    static final int LEAVES = 1_000_000;
    MerkleTree tree;
    byte[] root;
    List<List<byte[]>> proofs;
    int next;

    @Setup(Level.Trial)
    public void build() {
      tree = new MerkleTree();
      for (int i = 0; i < LEAVES; i++) {
        tree.append(Rfc6962.leafHash(new byte[] {(byte) i, (byte) (i >> 8), (byte) (i >> 16)}));
      }
      root = tree.root();
      proofs = new java.util.ArrayList<>();
      for (int i = 0; i < 1024; i++) {
        proofs.add(tree.inclusionProof(index(i), LEAVES));
      }
    }

    static long index(int i) {
      return (i * 977_351L) % LEAVES;
    }
  }

  @Benchmark
  public List<byte[]> inclusionProofAt1M(MillionLeaves m) {
    m.next = (m.next + 1) & 1023;
    return m.tree.inclusionProof(MillionLeaves.index(m.next), MillionLeaves.LEAVES);
  }

  @Benchmark
  public boolean verifyInclusionAt1M(MillionLeaves m) {
    int i = m.next = (m.next + 1) & 1023;
    long index = MillionLeaves.index(i);
    return MerkleProofs.verifyInclusion(
        m.tree.leafHash(index), index, MillionLeaves.LEAVES, m.proofs.get(i), m.root);
  }
}
