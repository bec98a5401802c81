package io.hyperlens.audit.tlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.keys.AuditSigner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every refusal of the tree and note types, by name, and their value semantics. */
class TlogEdgesTest {
  private static final byte[] H = Rfc6962.leafHash(new byte[] {7});

  @Test
  void compactRangesRefuseWhatCannotBeATree() {
    assertThatThrownBy(() -> CompactRange.of(-1, List.of()))
        .hasMessage("size must not be negative, got -1");
    assertThatThrownBy(() -> CompactRange.of(1, null))
        .hasMessage("a tree of 1 leaves has 1 subtree roots, got none");
    List<byte[]> nullHash = new ArrayList<>();
    nullHash.add(null);
    assertThatThrownBy(() -> CompactRange.of(1, nullHash))
        .hasMessage("subtree roots must be 32-byte hashes");
    assertThatThrownBy(() -> CompactRange.of(1, List.of(new byte[31])))
        .hasMessage("subtree roots must be 32-byte hashes");
    assertThatThrownBy(() -> new CompactRange().append(null))
        .hasMessage("leafHash must be a 32-byte hash");
    assertThatThrownBy(() -> new CompactRange().append(new byte[33]))
        .hasMessage("leafHash must be a 32-byte hash");
    assertThat(CompactRange.of(0, List.of()).root()).isEqualTo(Rfc6962.emptyRoot());
  }

  @Test
  void aCompactRangeCopyAndItsHashesAreIndependent() {
    CompactRange range = new CompactRange();
    range.append(H);
    CompactRange copy = range.copy();
    copy.append(H);
    assertThat(range.size()).isEqualTo(1);
    assertThat(copy.size()).isEqualTo(2);
    range.hashes().get(0)[0] ^= 1;
    assertThat(range.hashes().get(0)).isEqualTo(H);
    byte[] root = range.root();
    root[0] ^= 1;
    assertThat(range.root()).isEqualTo(H);
  }

  @Test
  void aMerkleTreeRefusesSizesBeyondItself() {
    MerkleTree tree = MerkleTreeTest.tree(4);
    assertThatThrownBy(() -> tree.rootAt(5))
        .hasMessage("treeSize must be within 0..4 (the tree's size), got 5");
    assertThatThrownBy(() -> tree.rootAt(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tree.consistencyProof(1, 5))
        .hasMessage("newSize must be within 0..4 (the tree's size), got 5");
    assertThatThrownBy(() -> tree.consistencyProof(-1, 3))
        .hasMessage("oldSize must be within 0..3, got -1");
    assertThat(tree.consistencyProof(0, 4)).isEmpty();
    assertThat(tree.consistencyProof(4, 4)).isEmpty();
    assertThat(tree.consistencyProof(3, 4)).isNotEmpty();
    assertThat(MerkleTree.consistencyProof(new CompactRange(), List.of(H))).isEmpty();
    CompactRange one = new CompactRange();
    one.append(H);
    assertThat(MerkleTree.consistencyProof(one, List.of())).isEmpty();
    assertThat(new MerkleTree().root()).isEqualTo(Rfc6962.emptyRoot());
  }

  @Test
  void proofVerifiersSayNoToNullsAndNegativeSizes() {
    MerkleTree tree = MerkleTreeTest.tree(6);
    List<byte[]> proof = tree.inclusionProof(2, 6);
    byte[] root = tree.root();
    assertThat(MerkleProofs.verifyInclusion(null, 2, 6, proof, root)).isFalse();
    assertThat(MerkleProofs.verifyInclusion(tree.leafHash(2), 2, 6, null, root)).isFalse();
    assertThat(MerkleProofs.verifyInclusion(tree.leafHash(2), 2, 6, proof, null)).isFalse();
    assertThat(MerkleProofs.verifyInclusion(tree.leafHash(2), 6, 6, proof, root)).isFalse();
    assertThat(
            MerkleProofs.verifyInclusion(tree.leafHash(5), 5, 6, tree.inclusionProof(5, 6), root))
        .isTrue();
    List<byte[]> withNull = new ArrayList<>(proof);
    withNull.set(1, null);
    assertThat(MerkleProofs.verifyInclusion(tree.leafHash(2), 2, 6, withNull, root)).isFalse();
    List<byte[]> cproof = tree.consistencyProof(3, 6);
    byte[] old = tree.rootAt(3);
    assertThat(MerkleProofs.verifyConsistency(3, 6, cproof, old, root)).isTrue();
    assertThat(MerkleProofs.verifyConsistency(3, 6, null, old, root)).isFalse();
    assertThat(MerkleProofs.verifyConsistency(3, 6, cproof, null, root)).isFalse();
    assertThat(MerkleProofs.verifyConsistency(3, 6, cproof, old, null)).isFalse();
    assertThat(MerkleProofs.verifyConsistency(-1, 6, cproof, old, root)).isFalse();
    List<byte[]> shortHash = new ArrayList<>(cproof);
    shortHash.set(cproof.size() - 1, new byte[5]);
    assertThat(MerkleProofs.verifyConsistency(3, 6, shortHash, old, root)).isFalse();
    // From a power-of-two size the old root is implied: a proof that states it too fails.
    List<byte[]> fromFour = tree.consistencyProof(4, 6);
    List<byte[]> stated = new ArrayList<>();
    stated.add(tree.rootAt(4));
    stated.addAll(fromFour);
    assertThat(MerkleProofs.verifyConsistency(4, 6, fromFour, tree.rootAt(4), root)).isTrue();
    assertThat(MerkleProofs.verifyConsistency(4, 6, stated, tree.rootAt(4), root)).isFalse();
  }

  @Test
  void hashesInBase64AreCanonicalAndThirtyTwoBytes() {
    String good = Rfc6962.base64(H);
    assertThat(Rfc6962.parseBase64("h", good)).isEqualTo(H);
    assertThatThrownBy(() -> Rfc6962.parseBase64("h", "#"))
        .hasMessage("h must be base64, got \"#\"");
    char last = good.charAt(good.length() - 2);
    String stray = good.substring(0, good.length() - 2) + (char) (last + 1) + "=";
    assertThatThrownBy(() -> Rfc6962.parseBase64("h", stray))
        .hasMessage("h must be canonical base64 (no stray padding bits), got \"" + stray + '"');
    // Two leaves hashed in a row each start from a fresh digest.
    assertThat(Rfc6962.leafHash(new byte[] {7})).isEqualTo(H);
    assertThat(Rfc6962.nodeHash(H, H)).isEqualTo(Rfc6962.nodeHash(H, H));
    assertThat(Rfc6962.leafHash(new byte[0]))
        .isNotEqualTo(Rfc6962.emptyRoot())
        .isEqualTo(Arrays.copyOf(Rfc6962.leafHash(new byte[0]), 32));
  }

  @Test
  void notesSignaturesAndKeysHaveValueSemantics() {
    AuditSigner signer = AuditSigner.generate();
    NoteKey key = signer.noteKey("o");
    NoteSignature a = key.signature(new byte[] {1, 2, 3});
    NoteSignature same = key.signature(new byte[] {1, 2, 3});
    assertThat(a).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(a).isNotEqualTo(key.signature(new byte[] {1, 2, 4}));
    assertThat(a).isNotEqualTo(new NoteSignature("p", key.keyId(), new byte[] {1, 2, 3}));
    assertThat(a).isNotEqualTo(new NoteSignature("o", key.keyId() + 1, new byte[] {1, 2, 3}));
    assertThat(a).isNotEqualTo("o");
    assertThat(a.toString()).isEqualTo(a.line()).startsWith("\u2014 o ");
    byte[] bytes = a.signature();
    bytes[0] = 9;
    assertThat(a.signature()[0]).isEqualTo((byte) 1);
    assertThatThrownBy(() -> key.signature(new byte[0])).hasMessage("signature must not be empty");
    assertThatThrownBy(() -> key.signature(null)).hasMessage("signature must not be empty");
    assertThatThrownBy(() -> new NoteSignature("a b", 1, new byte[] {1}))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(key)
        .isEqualTo(NoteKey.parse(key.vkey()))
        .hasSameHashCodeAs(NoteKey.parse(key.vkey()));
    assertThat(key).isNotEqualTo(signer.noteKey("p")).isNotEqualTo("o");
    assertThat(key.toString()).isEqualTo(key.vkey());
    assertThat(key.name()).isEqualTo("o");
    assertThat(key.keyId()).isNotZero();
    assertThatThrownBy(() -> NoteKey.of("o", null)).hasMessage("publicKey must not be null");
    assertThatThrownBy(() -> NoteKey.of("a+b", signer.publicKey()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NoteKey.parse(null)).hasMessage("vkey must not be null");
    assertThatThrownBy(() -> NoteKey.fromRaw(new byte[31]))
        .hasMessage("an Ed25519 public key is 32 bytes");
    assertThatThrownBy(() -> NoteKey.fromRaw(null)).hasMessage("an Ed25519 public key is 32 bytes");
    assertThat(NoteKey.fromRaw(NoteKey.raw(signer.publicKey()))).isEqualTo(signer.publicKey());

    SignedNote note = SignedNote.unsigned("t\n").with(a);
    assertThat(note.toString()).isEqualTo(note.format());
    assertThat(SignedNote.unsigned("t\n").toString()).isEqualTo("t\n");
    assertThat(note.signedBytes())
        .isEqualTo("t\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThatThrownBy(() -> note.with(null)).hasMessage("signature must not be null");
    assertThatThrownBy(() -> new SignedNote("t\n", null)).hasMessage("signatures must not be null");
    assertThatThrownBy(() -> SignedNote.parse(null)).hasMessage("note must not be null");
    List<NoteSignature> many = new ArrayList<>();
    for (int i = 0; i < SignedNote.MAX_SIGNATURES; i++) {
      many.add(a);
    }
    assertThat(new SignedNote("t\n", many).signatures()).hasSize(64);
    many.add(a);
    assertThatThrownBy(() -> new SignedNote("t\n", many))
        .hasMessage("a note carries at most 64 signatures, got 65");
    assertThatThrownBy(() -> SignedNote.unsigned(""))
        .hasMessage("a note's text must end in a newline");
    assertThatThrownBy(() -> SignedNote.unsigned(null))
        .hasMessage("a note's text must end in a newline");
    assertThat(SignedNote.unsigned("x\u001f".substring(0, 1) + " \n").text()).isEqualTo("x \n");
    assertThatThrownBy(() -> SignedNote.unsigned("x\u001f\n"))
        .hasMessage("a note must not hold control character U+001F");
    assertThat(SignedNote.unsigned(" ~\u007f\n").text()).hasSize(4);
    assertThatThrownBy(() -> SignedNote.unsigned("\ud83d\n"))
        .hasMessage("a note must be valid UTF-8 (a lone surrogate)");
    assertThatThrownBy(() -> SignedNote.unsigned("\ude00x\n"))
        .hasMessage("a note must be valid UTF-8 (a lone surrogate)");
    // A note of exactly the maximum length parses; one more character is refused (above).
    String body = "x".repeat(SignedNote.MAX_LENGTH - 3 - a.line().length()) + "\n";
    String maxNote = new SignedNote(body, List.of(a)).format();
    assertThat(maxNote.length()).isEqualTo(SignedNote.MAX_LENGTH);
    assertThat(SignedNote.parse(maxNote).text()).isEqualTo(body);
  }

  @Test
  void aSignatureLineNeedsFiveBytesAndANameWithoutSpaces() {
    AuditSigner signer = AuditSigner.generate();
    NoteKey key = signer.noteKey("o");
    String five = java.util.Base64.getEncoder().encodeToString(new byte[] {0, 0, 0, 1, 9});
    SignedNote parsed = SignedNote.parse("t\n\n\u2014 o " + five + "\n");
    assertThat(parsed.signatures().get(0).keyId()).isEqualTo(1);
    assertThat(parsed.signatures().get(0).signature()).containsExactly(9);
    String four = java.util.Base64.getEncoder().encodeToString(new byte[] {0, 0, 0, 1});
    assertThatThrownBy(() -> SignedNote.parse("t\n\n\u2014 o " + four + "\n"))
        .hasMessage("the signature of o is too short");
    int id = 0xfedcba98;
    byte[] bytes = {(byte) 0xfe, (byte) 0xdc, (byte) 0xba, (byte) 0x98, 1};
    SignedNote high =
        SignedNote.parse(
            "t\n\n\u2014 o " + java.util.Base64.getEncoder().encodeToString(bytes) + "\n");
    assertThat(high.signatures().get(0).keyId()).isEqualTo(id);
    assertThat(high.signatures().get(0).line())
        .isEqualTo("\u2014 o " + java.util.Base64.getEncoder().encodeToString(bytes));
    assertThat(key.check(high)).isEqualTo(NoteKey.Verdict.NOT_SIGNED);
    assertThatThrownBy(() -> SignedNote.parse("t\n\n"))
        .hasMessage("a note must carry at least one signature");
    // Two signature lines parse in order.
    String two = "t\n\n\u2014 o " + five + "\n\u2014 p " + five + "\n";
    assertThat(SignedNote.parse(two).signatures())
        .extracting(NoteSignature::name)
        .containsExactly("o", "p");
    // The text may hold blank lines: the last blank line separates the signatures.
    assertThat(SignedNote.parse("a\n\nb\n\n\u2014 o " + five + "\n").text()).isEqualTo("a\n\nb\n");
  }

  @Test
  void keyNamesAreCheckedCharacterByCharacter() {
    NoteKey.checkName("a".repeat(255));
    NoteKey.checkName("example.com/log-1_x~");
    for (String bad : List.of("a\u0000", "a\u001f", "a\u007f", "a\u00a0b", "a\tb", "a\u2003b")) {
      assertThatThrownBy(() -> NoteKey.checkName(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    NoteKey.checkName("a\u0020".trim());
    NoteKey.checkName("\u00e9t\u00e9");
    assertThatThrownBy(() -> NoteKey.checkName(null))
        .hasMessage("a key name must be 1 to 255 characters, got null");
  }

  @Test
  void checkpointBodiesRefuseBadFields() {
    byte[] root = Rfc6962.emptyRoot();
    assertThatThrownBy(() -> new CheckpointBody("o", -1, root, List.of()))
        .hasMessage("size must not be negative, got -1");
    assertThatThrownBy(() -> new CheckpointBody("o", 0, null, List.of()))
        .hasMessage("root must be a 32-byte hash");
    assertThatThrownBy(() -> new CheckpointBody("o", 0, new byte[3], List.of()))
        .hasMessage("root must be a 32-byte hash");
    assertThatThrownBy(() -> new CheckpointBody("o", 0, root, List.of("a\nb")))
        .hasMessage("extension lines must be single non-empty lines");
    assertThatThrownBy(() -> new CheckpointBody("o o", 0, root, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CheckpointBody.parse(null))
        .hasMessage("a checkpoint's text ends in a newline");
    CheckpointBody body = new CheckpointBody("o", 3, root, List.of("x"));
    assertThat(CheckpointBody.parse(body.format())).isEqualTo(body).hasSameHashCodeAs(body);
    assertThat(body).isNotEqualTo(new CheckpointBody("o", 4, root, List.of("x"))).isNotEqualTo("o");
    assertThat(body.toString()).isEqualTo(body.format());
    assertThat(CheckpointBody.parse("o\n0\n" + Rfc6962.base64(root) + "\n").extensions()).isEmpty();
    byte[] copy = body.root();
    copy[0] ^= 1;
    assertThat(body.root()).isEqualTo(root);
    assertThat(
            CheckpointBody.parse("o\n9223372036854775807\n" + Rfc6962.base64(root) + "\n").size())
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void proofsRefuseBadFieldsAndCopyWhatTheyHold() {
    MerkleTree tree = MerkleTreeTest.tree(3);
    AuditSigner signer = AuditSigner.generate();
    SignedNote note = SignedNote.unsigned("o\n3\n" + Rfc6962.base64(tree.root()) + "\n");
    SignedNote signed = note.with(signer.noteKey("o").signature(signer.sign(note.signedBytes())));
    assertThatThrownBy(() -> new TlogProof(null, 0, null, signed))
        .hasMessage("proof and checkpoint must not be null");
    assertThatThrownBy(() -> new TlogProof(null, 0, List.of(), null))
        .hasMessage("proof and checkpoint must not be null");
    List<byte[]> tooLong = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      tooLong.add(H);
    }
    assertThatThrownBy(() -> new TlogProof(null, 0, tooLong, signed))
        .hasMessage("an inclusion proof has at most 63 hashes");
    assertThat(new TlogProof(null, 0, tooLong.subList(0, 63), signed).proof()).hasSize(63);
    assertThatThrownBy(() -> new TlogProof(null, 0, List.of(new byte[2]), signed))
        .hasMessage("proof hashes must be 32 bytes");
    byte[] extra = {1, 2};
    List<byte[]> hashes = new ArrayList<>(tree.inclusionProof(0, 3));
    TlogProof proof = new TlogProof(extra, 0, hashes, signed);
    extra[0] = 5;
    hashes.get(0)[0] ^= 1;
    assertThat(proof.extra()).containsExactly(1, 2);
    assertThat(proof.proof().get(0)).isEqualTo(tree.inclusionProof(0, 3).get(0));
    proof.extra()[0] = 9;
    proof.proof().get(0)[0] ^= 1;
    assertThat(proof.extra()).containsExactly(1, 2);
    assertThat(proof.proof().get(0)).isEqualTo(tree.inclusionProof(0, 3).get(0));
    assertThat(proof.toString()).isEqualTo(proof.format());
    assertThat(proof).hasSameHashCodeAs(TlogProof.parse(proof.format()));
    assertThat(proof)
        .isNotEqualTo(new TlogProof(extra, 1, tree.inclusionProof(1, 3), signed))
        .isNotEqualTo("x");
    assertThat(new TlogProof(null, 0, List.of(), signed).extraText()).isNull();
    assertThatThrownBy(() -> TlogProof.parse(null)).hasMessage("proof must not be null");
    assertThatThrownBy(
            () ->
                TlogProof.parse("c2sp.org/tlog-proof@v1\nextra %%\nindex 0\n\n" + signed.format()))
        .hasMessage("the proof's extra data is not base64");
    assertThatThrownBy(
            () -> TlogProof.parse("c2sp.org/tlog-proof@v1\nextra AQI=\n\n" + signed.format()))
        .hasMessage("a proof names its entry with \"index N\" (no leading zeros) after the header");
    assertThatThrownBy(
            () ->
                TlogProof.parse(
                    "c2sp.org/tlog-proof@v1\nindex 99999999999999999999\n\n" + signed.format()))
        .isInstanceOf(IllegalArgumentException.class);
    TlogProof big =
        TlogProof.parse("c2sp.org/tlog-proof@v1\nindex 9223372036854775807\n\n" + signed.format());
    assertThat(big.index()).isEqualTo(Long.MAX_VALUE);
    TlogProof two =
        TlogProof.parse(
            "c2sp.org/tlog-proof@v1\nindex 1\n"
                + Rfc6962.base64(H)
                + "\n"
                + Rfc6962.base64(H)
                + "\n\n"
                + signed.format());
    assertThat(two.proof()).hasSize(2);
  }
}
