package io.hyperlens.audit.tlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** For random trees, every proof verifies and every single-bit change to one fails. */
class ProofProperties {

  @Property(tries = 100)
  void everyInclusionProofVerifiesAndEveryFlippedBitFails(
      @ForAll @IntRange(min = 1, max = 300) int size, @ForAll @IntRange(min = 0) int seed) {
    MerkleTree tree = MerkleTreeTest.tree(size);
    long index = Math.floorMod(seed, size);
    List<byte[]> proof = tree.inclusionProof(index, size);
    byte[] leaf = tree.leafHash(index);
    byte[] root = tree.root();
    assertThat(MerkleProofs.verifyInclusion(leaf, index, size, proof, root)).isTrue();
    for (int h = 0; h < proof.size(); h++) {
      for (int bit = 0; bit < 256; bit++) {
        assertThat(
                MerkleProofs.verifyInclusion(
                    leaf, index, size, MerkleTreeTest.flip(proof, h, bit), root))
            .isFalse();
      }
    }
    for (int bit = 0; bit < 256; bit++) {
      assertThat(
              MerkleProofs.verifyInclusion(
                  MerkleTreeTest.flip(List.of(leaf), 0, bit).get(0), index, size, proof, root))
          .isFalse();
      assertThat(
              MerkleProofs.verifyInclusion(
                  leaf, index, size, proof, MerkleTreeTest.flip(List.of(root), 0, bit).get(0)))
          .isFalse();
    }
  }

  @Property(tries = 100)
  void everyConsistencyProofVerifiesAndEveryFlippedBitFails(
      @ForAll @IntRange(min = 2, max = 300) int newSize, @ForAll @IntRange(min = 0) int seed) {
    MerkleTree tree = MerkleTreeTest.tree(newSize);
    long oldSize = 1 + Math.floorMod(seed, newSize - 1);
    List<byte[]> proof = tree.consistencyProof(oldSize, newSize);
    byte[] oldRoot = tree.rootAt(oldSize);
    byte[] newRoot = tree.root();
    assertThat(MerkleProofs.verifyConsistency(oldSize, newSize, proof, oldRoot, newRoot)).isTrue();
    for (int h = 0; h < proof.size(); h++) {
      for (int bit = 0; bit < 256; bit++) {
        assertThat(
                MerkleProofs.verifyConsistency(
                    oldSize, newSize, MerkleTreeTest.flip(proof, h, bit), oldRoot, newRoot))
            .isFalse();
      }
    }
    for (int bit = 0; bit < 256; bit++) {
      assertThat(
              MerkleProofs.verifyConsistency(
                  oldSize,
                  newSize,
                  proof,
                  MerkleTreeTest.flip(List.of(oldRoot), 0, bit).get(0),
                  newRoot))
          .isFalse();
      assertThat(
              MerkleProofs.verifyConsistency(
                  oldSize,
                  newSize,
                  proof,
                  oldRoot,
                  MerkleTreeTest.flip(List.of(newRoot), 0, bit).get(0)))
          .isFalse();
    }
  }
}
