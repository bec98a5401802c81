package io.hyperlens.audit.tlog;

import java.util.ArrayList;
import java.util.List;

/**
 * The right edge of an RFC 6962 Merkle tree: the roots of the perfect subtrees that together cover
 * its leaves, one per set bit of the size, largest first. That is all it takes to append a leaf and
 * to compute the root, in O(log n) memory whatever the size; an audit log keeps one to sign each
 * checkpoint's root, and writes it beside the checkpoint so a reopened log continues without
 * reading its records again.
 *
 * <pre>{@code
 * CompactRange tree = new CompactRange();
 * tree.append(Rfc6962.leafHash(data));
 * byte[] root = tree.root();
 * }</pre>
 *
 * <p>Not thread-safe.
 */
public final class CompactRange {
  private final List<byte[]> hashes;
  private long size;

  /** An empty tree. */
  public CompactRange() {
    this.hashes = new ArrayList<>();
  }

  private CompactRange(long size, List<byte[]> hashes) {
    this.size = size;
    this.hashes = hashes;
  }

  /**
   * The range of a tree of {@code size} leaves with the given subtree roots, largest first.
   *
   * @throws IllegalArgumentException if there is not exactly one 32-byte hash per set bit of size
   */
  public static CompactRange of(long size, List<byte[]> hashes) {
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative, got " + size);
    }
    if (hashes == null || hashes.size() != Long.bitCount(size)) {
      throw new IllegalArgumentException(
          "a tree of "
              + size
              + " leaves has "
              + Long.bitCount(size)
              + " subtree roots, got "
              + (hashes == null ? "none" : hashes.size()));
    }
    List<byte[]> copy = new ArrayList<>(hashes.size());
    for (byte[] hash : hashes) {
      if (hash == null || hash.length != Rfc6962.HASH_SIZE) {
        throw new IllegalArgumentException("subtree roots must be 32-byte hashes");
      }
      copy.add(hash.clone());
    }
    return new CompactRange(size, copy);
  }

  /** Adds the leaf with hash {@code leafHash} (already {@link Rfc6962#leafHash}ed). */
  public void append(byte[] leafHash) {
    if (leafHash == null || leafHash.length != Rfc6962.HASH_SIZE) {
      throw new IllegalArgumentException("leafHash must be a 32-byte hash");
    }
    byte[] carry = leafHash.clone();
    // Each trailing 1-bit of the old size is a subtree of the new leaf's size to merge with.
    for (long s = size; (s & 1) == 1; s >>>= 1) {
      carry = Rfc6962.nodeHash(hashes.remove(hashes.size() - 1), carry);
    }
    hashes.add(carry);
    size++;
  }

  /** Leaves in the tree. */
  public long size() {
    return size;
  }

  /** The tree's root hash ({@link Rfc6962#emptyRoot()} when empty). */
  public byte[] root() {
    if (hashes.isEmpty()) {
      return Rfc6962.emptyRoot();
    }
    byte[] root = hashes.get(hashes.size() - 1);
    for (int i = hashes.size() - 2; i >= 0; i--) {
      root = Rfc6962.nodeHash(hashes.get(i), root);
    }
    return root.clone();
  }

  /** The subtree roots, largest first (copies). */
  public List<byte[]> hashes() {
    List<byte[]> out = new ArrayList<>(hashes.size());
    for (byte[] hash : hashes) {
      out.add(hash.clone());
    }
    return out;
  }

  /** An independent copy. */
  public CompactRange copy() {
    return of(size, hashes);
  }
}
