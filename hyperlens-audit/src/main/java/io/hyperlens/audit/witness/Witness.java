package io.hyperlens.audit.witness;

import io.hyperlens.audit.tlog.SignedNote;
import java.util.List;

/**
 * Someone other than the log's writer who keeps the largest checkpoint of each log it has seen and
 * refuses any later one that does not extend it: after that, cutting records off the end of the
 * log, or rewriting what the witness saw, is caught even by a verifier who holds nothing else. The
 * calls are those of the C2SP {@code tlog-witness} protocol ({@code add-checkpoint}), so a
 * directory ({@link DirectoryWitness}) and an HTTP witness are interchangeable.
 *
 * <pre>{@code
 * Witness witness = DirectoryWitness.open(Path.of("/mnt/other-disk/witness"));
 * try (AuditLog log = AuditLog.builder().store(store).signer(signer).witness(witness).build()) {
 *   log.append(entry); // each checkpoint goes to the witness with a consistency proof
 * }
 * }</pre>
 *
 * <p>Implementations are thread-safe; {@link #addCheckpoint} checks and stores atomically.
 */
public interface Witness {
  /**
   * Asks the witness to take {@code checkpoint}, proving with {@code consistencyProof} (RFC 6962)
   * that it extends the checkpoint of {@code oldSize} the witness holds (empty when {@code oldSize}
   * is 0). Blocks until the checkpoint is durably kept.
   *
   * @throws WitnessException saying why the witness refused it, or that it could not be reached
   */
  void addCheckpoint(long oldSize, List<byte[]> consistencyProof, SignedNote checkpoint)
      throws WitnessException;

  /**
   * The checkpoints the witness took for the log with {@code origin}, smallest first, the largest
   * last; empty when it knows no such log.
   *
   * @throws WitnessException if the witness cannot be read
   */
  List<SignedNote> checkpoints(String origin) throws WitnessException;

  /** What the witness is, for a person ("witness /mnt/other-disk/witness"). */
  String description();
}
