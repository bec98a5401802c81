package io.hyperlens.audit.tlog;

import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 6962 Merkle tree held in memory with every perfect subtree's hash, so roots at any size,
 * inclusion proofs and consistency proofs each cost O(log n) lookups and a few hashes. It takes 64
 * bytes per leaf (a million leaves, 64 MiB); build one from a log's record hashes to answer proofs,
 * and keep a {@link CompactRange} where only the root is needed.
 *
 * <pre>{@code
 * MerkleTree tree = new MerkleTree();
 * for (byte[] leaf : leafHashes) {
 *   tree.append(leaf);
 * }
 * List<byte[]> proof = tree.inclusionProof(41, tree.size());
 * boolean ok = MerkleProofs.verifyInclusion(leafHashes.get(41), 41, tree.size(), proof, tree.root());
 * }</pre>
 *
 * <p>Proofs follow RFC 6962 section 2.1 ({@code PATH} and {@code SUBPROOF}), as RFC 9162 section
 * 2.1.3 and 2.1.4 verify them. Not thread-safe.
 */
public final class MerkleTree {
  /** levels.get(k) holds the hashes of the complete subtrees of 2^k leaves, left to right. */
  private final List<HashArray> levels = new ArrayList<>();

  private long size;

  /** An empty tree. */
  public MerkleTree() {
    levels.add(new HashArray());
  }

  /** Adds the leaf with hash {@code leafHash} (already {@link Rfc6962#leafHash}ed). */
  public void append(byte[] leafHash) {
    if (leafHash == null || leafHash.length != Rfc6962.HASH_SIZE) {
      throw new IllegalArgumentException("leafHash must be a 32-byte hash");
    }
    levels.get(0).add(leafHash);
    size++;
    // A leaf completes one subtree per trailing 0-bit of the new size.
    byte[] right = leafHash;
    for (int k = 0; ((size >>> k) & 1) == 0; k++) {
      HashArray level = levels.get(k);
      byte[] left = level.get(level.size() - 2);
      right = Rfc6962.nodeHash(left, right);
      if (levels.size() == k + 1) {
        levels.add(new HashArray());
      }
      levels.get(k + 1).add(right);
    }
  }

  /** Leaves in the tree. */
  public long size() {
    return size;
  }

  /** The hash of leaf {@code index}. */
  public byte[] leafHash(long index) {
    checkIndex(index, size);
    return levels.get(0).get(index);
  }

  /** The root of the whole tree. */
  public byte[] root() {
    return rootAt(size);
  }

  /** The root the tree had when it held its first {@code treeSize} leaves. */
  public byte[] rootAt(long treeSize) {
    checkSize("treeSize", treeSize);
    return treeSize == 0 ? Rfc6962.emptyRoot() : hash(0, treeSize);
  }

  /**
   * The RFC 6962 audit path of leaf {@code index} in the tree of its first {@code treeSize} leaves:
   * from the leaf's sibling up to the root's child.
   *
   * @throws IllegalArgumentException unless {@code 0 <= index < treeSize <= size()}
   */
  public List<byte[]> inclusionProof(long index, long treeSize) {
    checkSize("treeSize", treeSize);
    checkIndex(index, treeSize);
    List<byte[]> path = new ArrayList<>();
    path(index, 0, treeSize, path);
    return path;
  }

  /**
   * The RFC 6962 consistency proof that the tree of {@code oldSize} leaves is a prefix of the tree
   * of {@code newSize}; empty when {@code oldSize} is 0 or equals {@code newSize}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= oldSize <= newSize <= size()}
   */
  public List<byte[]> consistencyProof(long oldSize, long newSize) {
    checkSize("newSize", newSize);
    if (oldSize < 0 || oldSize > newSize) {
      throw new IllegalArgumentException(
          "oldSize must be within 0.." + newSize + ", got " + oldSize);
    }
    List<byte[]> proof = new ArrayList<>();
    if (oldSize > 0 && oldSize < newSize) {
      subproof(this::hash, oldSize, 0, newSize, true, proof);
    }
    return proof;
  }

  /**
   * The consistency proof from the tree {@code old} describes to that tree with {@code appended}
   * leaf hashes added, from nothing but the old tree's frontier and the new leaves: what a log that
   * keeps only a {@link CompactRange} needs to satisfy a witness. Costs a hash per appended leaf.
   */
  public static List<byte[]> consistencyProof(CompactRange old, List<byte[]> appended) {
    long m = old.size();
    List<byte[]> proof = new ArrayList<>();
    if (m == 0 || appended.isEmpty()) {
      return proof;
    }
    List<byte[]> frontier = old.hashes();
    long[] starts = new long[frontier.size()];
    long[] ends = new long[frontier.size()];
    long at = 0;
    int i = 0;
    for (int bit = 63; bit >= 0; bit--) {
      if (((m >>> bit) & 1) == 1) {
        starts[i] = at;
        at += 1L << bit;
        ends[i++] = at;
      }
    }
    RangeHash hash =
        new RangeHash() {
          @Override
          public byte[] hash(long start, long end) {
            if (end <= m) {
              // [start, end) is a run of frontier subtrees: the RFC's split falls between them.
              byte[] root = null;
              for (int j = frontier.size() - 1; j >= 0; j--) {
                if (starts[j] >= start && ends[j] <= end) {
                  root = root == null ? frontier.get(j) : Rfc6962.nodeHash(frontier.get(j), root);
                }
              }
              return root;
            }
            if (end - start == 1) {
              return appended.get((int) (start - m));
            }
            long k = Rfc6962.split(end - start);
            return Rfc6962.nodeHash(hash(start, start + k), hash(start + k, end));
          }
        };
    subproof(hash, m, 0, m + appended.size(), true, proof);
    return proof;
  }

  /** MTH over a range of leaves. */
  private interface RangeHash {
    byte[] hash(long start, long end);
  }

  /** PATH(m, D[start:end]), appended deepest first. */
  private void path(long m, long start, long end, List<byte[]> out) {
    long n = end - start;
    if (n <= 1) {
      return;
    }
    long k = Rfc6962.split(n);
    if (m < k) {
      path(m, start, start + k, out);
      out.add(hash(start + k, end));
    } else {
      path(m - k, start + k, end, out);
      out.add(hash(start, start + k));
    }
  }

  /** SUBPROOF(m, D[start:end], b), appended deepest first. */
  private static void subproof(
      RangeHash hash, long m, long start, long end, boolean whole, List<byte[]> out) {
    long n = end - start;
    if (m == n) {
      if (!whole) {
        out.add(hash.hash(start, end));
      }
      return;
    }
    long k = Rfc6962.split(n);
    if (m <= k) {
      subproof(hash, m, start, start + k, whole, out);
      out.add(hash.hash(start + k, end));
    } else {
      subproof(hash, m - k, start + k, end, false, out);
      out.add(hash.hash(start, start + k));
    }
  }

  /** MTH(D[start:end]) for a non-empty range. */
  private byte[] hash(long start, long end) {
    long n = end - start;
    if (Long.bitCount(n) == 1 && start % n == 0) {
      int level = Long.numberOfTrailingZeros(n);
      return levels.get(level).get(start >>> level);
    }
    long k = Rfc6962.split(n);
    return Rfc6962.nodeHash(hash(start, start + k), hash(start + k, end));
  }

  private void checkSize(String name, long treeSize) {
    if (treeSize < 0 || treeSize > size) {
      throw new IllegalArgumentException(
          name + " must be within 0.." + size + " (the tree's size), got " + treeSize);
    }
  }

  private static void checkIndex(long index, long treeSize) {
    if (index < 0 || index >= treeSize) {
      throw new IllegalArgumentException(
          "index must be within 0.." + (treeSize - 1) + ", got " + index);
    }
  }

  /** 32-byte hashes in fixed chunks, so growing never copies what is already there. */
  private static final class HashArray {
    private static final int CHUNK_HASHES = 4096;
    private final List<byte[]> chunks = new ArrayList<>();
    private long count;

    void add(byte[] hash) {
      int at = (int) (count % CHUNK_HASHES);
      if (at == 0) {
        chunks.add(new byte[CHUNK_HASHES * Rfc6962.HASH_SIZE]);
      }
      System.arraycopy(
          hash, 0, chunks.get(chunks.size() - 1), at * Rfc6962.HASH_SIZE, Rfc6962.HASH_SIZE);
      count++;
    }

    byte[] get(long index) {
      byte[] chunk = chunks.get((int) (index / CHUNK_HASHES));
      int from = (int) (index % CHUNK_HASHES) * Rfc6962.HASH_SIZE;
      byte[] out = new byte[Rfc6962.HASH_SIZE];
      System.arraycopy(chunk, from, out, 0, Rfc6962.HASH_SIZE);
      return out;
    }

    long size() {
      return count;
    }
  }
}
