package io.hyperlens.audit.tlog;

import java.security.MessageDigest;
import java.util.List;

/**
 * Checks RFC 6962 inclusion and consistency proofs with the algorithms of RFC 9162 sections 2.1.3.2
 * and 2.1.4.2: the verifier needs only the hashes in the proof, the sizes and the roots, never the
 * tree. A proof with a flipped bit, a hash too many or too few, or the wrong index or size fails.
 * Thread-safe: stateless.
 *
 * <pre>{@code
 * boolean included = MerkleProofs.verifyInclusion(leafHash, index, treeSize, proof, root);
 * boolean appendOnly = MerkleProofs.verifyConsistency(oldSize, newSize, proof, oldRoot, newRoot);
 * }</pre>
 */
public final class MerkleProofs {
  private MerkleProofs() {}

  /**
   * Whether {@code proof} shows that the leaf with hash {@code leafHash} is leaf {@code index} of
   * the tree of {@code treeSize} leaves whose root is {@code root}.
   */
  public static boolean verifyInclusion(
      byte[] leafHash, long index, long treeSize, List<byte[]> proof, byte[] root) {
    if (leafHash == null || root == null || proof == null || index < 0 || index >= treeSize) {
      return false;
    }
    long fn = index;
    long sn = treeSize - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (sn == 0 || !isHash(p)) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = Rfc6962.nodeHash(p, r);
        if ((fn & 1) == 0) {
          // fn was the last node of its level: climb until it is a right child again.
          while ((fn & 1) == 0 && fn != 0) {
            fn >>>= 1;
            sn >>>= 1;
          }
        }
      } else {
        r = Rfc6962.nodeHash(r, p);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(r, root);
  }

  /**
   * Whether {@code proof} shows that the tree of {@code oldSize} leaves with root {@code oldRoot}
   * is a prefix of the tree of {@code newSize} leaves with root {@code newRoot}. From the empty
   * tree, or between equal sizes, the proof must be empty (and equal sizes must have equal roots).
   */
  public static boolean verifyConsistency(
      long oldSize, long newSize, List<byte[]> proof, byte[] oldRoot, byte[] newRoot) {
    if (proof == null || oldRoot == null || newRoot == null || oldSize < 0 || oldSize > newSize) {
      return false;
    }
    if (oldSize == 0) {
      return proof.isEmpty() && MessageDigest.isEqual(oldRoot, Rfc6962.emptyRoot());
    }
    if (oldSize == newSize) {
      return proof.isEmpty() && MessageDigest.isEqual(oldRoot, newRoot);
    }
    if (proof.isEmpty()) {
      return false;
    }
    for (byte[] p : proof) {
      if (!isHash(p)) {
        return false;
      }
    }
    int next = 0;
    byte[] first;
    if (Long.bitCount(oldSize) == 1) {
      // The old tree is a perfect subtree of the new one: its root is the proof's unstated head.
      first = oldRoot;
    } else {
      first = proof.get(next++);
    }
    long fn = oldSize - 1;
    long sn = newSize - 1;
    while ((fn & 1) == 1) {
      fn >>>= 1;
      sn >>>= 1;
    }
    byte[] fr = first;
    byte[] sr = first;
    for (; next < proof.size(); next++) {
      byte[] c = proof.get(next);
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = Rfc6962.nodeHash(c, fr);
        sr = Rfc6962.nodeHash(c, sr);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>>= 1;
            sn >>>= 1;
          }
        }
      } else {
        sr = Rfc6962.nodeHash(sr, c);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(fr, oldRoot) && MessageDigest.isEqual(sr, newRoot);
  }

  private static boolean isHash(byte[] hash) {
    return hash != null && hash.length == Rfc6962.HASH_SIZE;
  }
}
