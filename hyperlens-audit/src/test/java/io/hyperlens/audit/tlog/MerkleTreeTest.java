package io.hyperlens.audit.tlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tree against the RFC 6962 reference vectors (the eight leaves the certificate-transparency
 * test suites use), proofs exhaustively for every size up to 70, and each way of spoiling a proof.
 */
class MerkleTreeTest {
  private static final HexFormat HEX = HexFormat.of();

  /** The leaves of the RFC 6962 test vectors. */
  private static final List<byte[]> LEAVES =
      List.of(
          HEX.parseHex(""),
          HEX.parseHex("00"),
          HEX.parseHex("10"),
          HEX.parseHex("2021"),
          HEX.parseHex("3031"),
          HEX.parseHex("40414243"),
          HEX.parseHex("5051525354555657"),
          HEX.parseHex("606162636465666768696a6b6c6d6e6f"));

  /** Their roots at sizes 1 to 8. */
  private static final List<String> ROOTS =
      List.of(
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
          "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
          "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
          "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
          "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
          "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

  @Test
  void rootsMatchTheReferenceVectors() {
    MerkleTree tree = new MerkleTree();
    CompactRange range = new CompactRange();
    assertThat(HEX.formatHex(tree.root()))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(range.root()).isEqualTo(tree.root());
    for (int i = 0; i < LEAVES.size(); i++) {
      byte[] leaf = Rfc6962.leafHash(LEAVES.get(i));
      tree.append(leaf);
      range.append(leaf);
      assertThat(HEX.formatHex(tree.root())).as("root at %d", i + 1).isEqualTo(ROOTS.get(i));
      assertThat(range.root()).isEqualTo(tree.root());
      assertThat(range.hashes()).hasSize(Integer.bitCount(i + 1));
    }
    for (int size = 1; size <= 8; size++) {
      assertThat(HEX.formatHex(tree.rootAt(size))).isEqualTo(ROOTS.get(size - 1));
    }
  }

  @Test
  void theFirstLeafsPathInEightMatchesTheReferenceVector() {
    MerkleTree tree = vectorTree();
    assertThat(tree.inclusionProof(0, 8))
        .extracting(HEX::formatHex)
        .containsExactly(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
  }

  @Test
  void everyInclusionAndConsistencyProofUpTo70LeavesVerifies() {
    MerkleTree tree = tree(70);
    for (long n = 1; n <= 70; n++) {
      byte[] root = tree.rootAt(n);
      for (long i = 0; i < n; i++) {
        List<byte[]> proof = tree.inclusionProof(i, n);
        assertThat(MerkleProofs.verifyInclusion(tree.leafHash(i), i, n, proof, root))
            .as("leaf %d of %d", i, n)
            .isTrue();
      }
      for (long m = 0; m <= n; m++) {
        List<byte[]> proof = tree.consistencyProof(m, n);
        assertThat(MerkleProofs.verifyConsistency(m, n, proof, tree.rootAt(m), root))
            .as("%d to %d", m, n)
            .isTrue();
      }
    }
  }

  @Test
  void aProofFromAFrontierAndTheNewLeavesEqualsTheFullTreesProof() {
    MerkleTree tree = tree(70);
    for (long m = 0; m <= 70; m++) {
      CompactRange old = new CompactRange();
      for (long i = 0; i < m; i++) {
        old.append(tree.leafHash(i));
      }
      for (long n = m; n <= 70; n++) {
        List<byte[]> appended = new ArrayList<>();
        for (long i = m; i < n; i++) {
          appended.add(tree.leafHash(i));
        }
        assertThat(MerkleTree.consistencyProof(old, appended))
            .as("%d to %d", m, n)
            .usingElementComparator(java.util.Arrays::compare)
            .containsExactlyElementsOf(tree.consistencyProof(m, n));
      }
    }
  }

  @Test
  void aCompactRangeRebuiltFromItsHashesCarriesOn() {
    CompactRange range = new CompactRange();
    MerkleTree tree = tree(37);
    for (long i = 0; i < 37; i++) {
      range.append(tree.leafHash(i));
    }
    CompactRange again = CompactRange.of(range.size(), range.hashes());
    assertThat(again.root()).isEqualTo(tree.root());
    MerkleTree longer = tree(38);
    again.append(longer.leafHash(37));
    assertThat(again.root()).isEqualTo(longer.root());
    assertThat(range.size()).isEqualTo(37);
    assertThatThrownBy(() -> CompactRange.of(37, range.hashes().subList(0, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a tree of 37 leaves has 3 subtree roots, got 2");
  }

  @Test
  void aSpoiledInclusionProofFails() {
    MerkleTree tree = tree(20);
    long n = 13;
    long i = 6;
    List<byte[]> proof = tree.inclusionProof(i, n);
    byte[] leaf = tree.leafHash(i);
    byte[] root = tree.rootAt(n);
    assertThat(MerkleProofs.verifyInclusion(leaf, i, n, proof, root)).isTrue();
    assertThat(MerkleProofs.verifyInclusion(leaf, i + 1, n, proof, root)).as("index").isFalse();
    // A checkpoint binds a size to its root: another size with its own root fails.
    for (long other = i + 1; other <= 20; other++) {
      if (other != n) {
        assertThat(MerkleProofs.verifyInclusion(leaf, i, other, proof, tree.rootAt(other)))
            .as("size %d", other)
            .isFalse();
      }
    }
    assertThat(MerkleProofs.verifyInclusion(leaf, n, n, proof, root)).as("past end").isFalse();
    assertThat(MerkleProofs.verifyInclusion(leaf, -1, n, proof, root)).isFalse();
    assertThat(MerkleProofs.verifyInclusion(tree.leafHash(5), i, n, proof, root)).isFalse();
    List<byte[]> longer = new ArrayList<>(proof);
    longer.add(tree.leafHash(0));
    assertThat(MerkleProofs.verifyInclusion(leaf, i, n, longer, root)).as("extra").isFalse();
    assertThat(MerkleProofs.verifyInclusion(leaf, i, n, proof.subList(0, 3), root))
        .as("missing")
        .isFalse();
    assertThat(MerkleProofs.verifyInclusion(leaf, i, n, List.of(), root)).isFalse();
    List<byte[]> shortHash = new ArrayList<>(proof);
    shortHash.set(0, new byte[31]);
    assertThat(MerkleProofs.verifyInclusion(leaf, i, n, shortHash, root)).isFalse();
    assertThat(MerkleProofs.verifyInclusion(leaf, 0, 0, List.of(), Rfc6962.emptyRoot()))
        .as("the empty tree holds nothing")
        .isFalse();
    for (int h = 0; h < proof.size(); h++) {
      for (int bit = 0; bit < 256; bit++) {
        List<byte[]> flipped = flip(proof, h, bit);
        assertThat(MerkleProofs.verifyInclusion(leaf, i, n, flipped, root)).isFalse();
      }
    }
  }

  @Test
  void aSpoiledConsistencyProofFails() {
    MerkleTree tree = tree(30);
    long m = 6;
    long n = 21;
    List<byte[]> proof = tree.consistencyProof(m, n);
    byte[] oldRoot = tree.rootAt(m);
    byte[] newRoot = tree.rootAt(n);
    assertThat(MerkleProofs.verifyConsistency(m, n, proof, oldRoot, newRoot)).isTrue();
    for (long other = 1; other <= 30; other++) {
      if (other != m && other < n) {
        assertThat(MerkleProofs.verifyConsistency(other, n, proof, tree.rootAt(other), newRoot))
            .as("old size %d", other)
            .isFalse();
      }
      if (other != n && other > m) {
        assertThat(MerkleProofs.verifyConsistency(m, other, proof, oldRoot, tree.rootAt(other)))
            .as("new size %d", other)
            .isFalse();
      }
    }
    assertThat(MerkleProofs.verifyConsistency(m, n, proof, newRoot, newRoot)).isFalse();
    assertThat(MerkleProofs.verifyConsistency(m, n, proof, oldRoot, oldRoot)).isFalse();
    assertThat(MerkleProofs.verifyConsistency(n, m, proof, newRoot, oldRoot)).isFalse();
    assertThat(MerkleProofs.verifyConsistency(m, n, List.of(), oldRoot, newRoot)).isFalse();
    assertThat(
            MerkleProofs.verifyConsistency(m, n, proof.subList(1, proof.size()), oldRoot, newRoot))
        .isFalse();
    List<byte[]> longer = new ArrayList<>(proof);
    longer.add(tree.leafHash(0));
    assertThat(MerkleProofs.verifyConsistency(m, n, longer, oldRoot, newRoot)).isFalse();
    for (int h = 0; h < proof.size(); h++) {
      for (int bit = 0; bit < 256; bit++) {
        assertThat(MerkleProofs.verifyConsistency(m, n, flip(proof, h, bit), oldRoot, newRoot))
            .isFalse();
      }
    }
    // Equal sizes need equal roots and no proof; from the empty tree, only the empty root.
    assertThat(MerkleProofs.verifyConsistency(n, n, List.of(), newRoot, newRoot)).isTrue();
    assertThat(MerkleProofs.verifyConsistency(n, n, List.of(), oldRoot, newRoot)).isFalse();
    assertThat(MerkleProofs.verifyConsistency(n, n, proof, newRoot, newRoot)).isFalse();
    assertThat(MerkleProofs.verifyConsistency(0, n, List.of(), Rfc6962.emptyRoot(), newRoot))
        .isTrue();
    assertThat(MerkleProofs.verifyConsistency(0, n, proof, Rfc6962.emptyRoot(), newRoot)).isFalse();
    assertThat(MerkleProofs.verifyConsistency(0, n, List.of(), oldRoot, newRoot)).isFalse();
  }

  @Test
  void proofsOutsideTheTreeAreRefusedByName() {
    MerkleTree tree = tree(5);
    assertThatThrownBy(() -> tree.inclusionProof(5, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("index must be within 0..4, got 5");
    assertThatThrownBy(() -> tree.inclusionProof(0, 6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("treeSize must be within 0..5 (the tree's size), got 6");
    assertThatThrownBy(() -> tree.consistencyProof(4, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("oldSize must be within 0..3, got 4");
    assertThatThrownBy(() -> tree.leafHash(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tree.append(new byte[3])).isInstanceOf(IllegalArgumentException.class);
  }

  static MerkleTree tree(int leaves) {
    MerkleTree tree = new MerkleTree();
    for (int i = 0; i < leaves; i++) {
      tree.append(Rfc6962.leafHash(new byte[] {(byte) i, (byte) (i >> 8)}));
    }
    return tree;
  }

  private static MerkleTree vectorTree() {
    MerkleTree tree = new MerkleTree();
    LEAVES.forEach(leaf -> tree.append(Rfc6962.leafHash(leaf)));
    return tree;
  }

  static List<byte[]> flip(List<byte[]> proof, int hash, int bit) {
    List<byte[]> out = new ArrayList<>();
    for (byte[] h : proof) {
      out.add(h.clone());
    }
    out.get(hash)[bit / 8] ^= (byte) (1 << (bit % 8));
    return out;
  }
}
