package io.hyperlens.audit.tlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.keys.AuditSigner;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The C2SP text formats, read strictly: signed notes, verifier keys, checkpoints, proofs. */
class NoteFormatsTest {
  private static final AuditSigner SIGNER = AuditSigner.generate();
  private static final String ORIGIN = "example.com/log";
  private static final NoteKey KEY = SIGNER.noteKey(ORIGIN);

  private static SignedNote signed(String text) {
    SignedNote note = SignedNote.unsigned(text);
    return note.with(KEY.signature(SIGNER.sign(note.signedBytes())));
  }

  @Test
  void aSignedNoteRoundTripsAndVerifies() {
    SignedNote note = signed("example.com/log\n5\n" + Rfc6962.base64(new byte[32]) + "\n");
    String text = note.format();
    assertThat(text).contains("\n\n\u2014 example.com/log ").endsWith("\n");
    SignedNote parsed = SignedNote.parse(text);
    assertThat(parsed).isEqualTo(note);
    assertThat(KEY.check(parsed)).isEqualTo(NoteKey.Verdict.VERIFIED);
    assertThat(SignedNote.parse(text).signatures().get(0).keyId()).isEqualTo(KEY.keyId());
    assertThat(SIGNER.noteKey("other.example/log").check(parsed))
        .isEqualTo(NoteKey.Verdict.NOT_SIGNED);
    assertThat(AuditSigner.generate().noteKey(ORIGIN).check(parsed))
        .isEqualTo(NoteKey.Verdict.NOT_SIGNED);
  }

  @Test
  void aNoteWithAChangedTextOrSignatureFails() {
    SignedNote note = signed("hello\n");
    SignedNote other = new SignedNote("hellO\n", note.signatures());
    assertThat(KEY.check(other)).isEqualTo(NoteKey.Verdict.BAD_SIGNATURE);
    byte[] sig = note.signatures().get(0).signature();
    sig[10] ^= 1;
    SignedNote flipped = new SignedNote("hello\n", List.of(KEY.signature(sig)));
    assertThat(KEY.check(flipped)).isEqualTo(NoteKey.Verdict.BAD_SIGNATURE);
    SignedNote shortSig = new SignedNote("hello\n", List.of(KEY.signature(new byte[3])));
    assertThat(KEY.check(shortSig)).isEqualTo(NoteKey.Verdict.BAD_SIGNATURE);
    // An unknown signature beside a good one is ignored.
    SignedNote both =
        note.with(AuditSigner.generate().noteKey("w.example").signature(new byte[64]));
    assertThat(KEY.check(both)).isEqualTo(NoteKey.Verdict.VERIFIED);
  }

  @Test
  void malformedNotesAreRefusedSayingWhy() {
    String good = signed("hello\n").format();
    assertThatThrownBy(() -> SignedNote.parse("hello\n"))
        .hasMessage("a note is a text, a blank line and signature lines");
    assertThatThrownBy(() -> SignedNote.parse(good.replace("\u2014 ", "- ")))
        .hasMessage("a signature line starts with an em dash and a space");
    assertThatThrownBy(
            () -> SignedNote.parse("hel\tlo\n\n" + good.substring(good.indexOf('\u2014'))))
        .hasMessage("a note must not hold control character U+0009");
    assertThatThrownBy(() -> SignedNote.parse(good.substring(0, good.length() - 1)))
        .hasMessage("a note is a text, a blank line and signature lines");
    assertThatThrownBy(() -> SignedNote.parse("hello\n\n\u2014 example.com/log AAAA\n"))
        .hasMessage("the signature of example.com/log is too short");
    assertThatThrownBy(() -> SignedNote.parse("hello\n\n\u2014 example.com/log !!!!\n"))
        .hasMessage("the signature of example.com/log is not base64");
    assertThatThrownBy(() -> SignedNote.parse("hello\n\n\u2014 nospace\n"))
        .hasMessage("a signature line is a key name, a space and base64");
    String lastChar = good.substring(good.length() - 3, good.length() - 2);
    String stray =
        good.substring(0, good.length() - 3)
            + (char) (lastChar.charAt(0) + 1)
            + good.substring(good.length() - 2);
    assertThatThrownBy(() -> SignedNote.parse(stray)).hasMessageContaining("not canonical base64");
    assertThatThrownBy(() -> SignedNote.parse("x".repeat(SignedNote.MAX_LENGTH + 1)))
        .hasMessageStartingWith("a note is at most 65536 characters");
    assertThatThrownBy(() -> SignedNote.unsigned("no newline"))
        .hasMessage("a note's text must end in a newline");
    assertThatThrownBy(() -> SignedNote.unsigned("a\n").format())
        .hasMessage("an unsigned note cannot be written out");
    assertThatThrownBy(() -> SignedNote.unsigned("\ud800\n"))
        .hasMessage("a note must be valid UTF-8 (a lone surrogate)");
    assertThat(SignedNote.unsigned("\ud83d\ude00\n").text()).isEqualTo("\ud83d\ude00\n");
  }

  @Test
  void aVerifierKeyRoundTripsAndItsIdIsTheC2spOne() throws Exception {
    String vkey = KEY.vkey();
    assertThat(vkey).startsWith("example.com/log+");
    NoteKey parsed = NoteKey.parse(vkey);
    assertThat(parsed).isEqualTo(KEY);
    assertThat(parsed.publicKey()).isEqualTo(SIGNER.publicKey());
    // key ID = SHA-256(name || 0x0A || 0x01 || 32-byte key)[:4], big-endian
    byte[] raw = NoteKey.raw(SIGNER.publicKey());
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    sha.update("example.com/log\n".getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 1);
    byte[] h = sha.digest(raw);
    assertThat(KEY.keyId()).isEqualTo(java.nio.ByteBuffer.wrap(h, 0, 4).getInt());
    assertThat(vkey.split("\\+")[1]).isEqualTo(String.format("%08x", KEY.keyId()));
    assertThat(vkey.substring(vkey.indexOf('+', vkey.indexOf('+') + 1) + 1))
        .isEqualTo(Base64.getEncoder().encodeToString(concat(new byte[] {1}, raw)));
  }

  @Test
  void badVerifierKeysAreRefusedByName() {
    String vkey = KEY.vkey();
    String[] parts = vkey.split("\\+", 3);
    assertThatThrownBy(() -> NoteKey.parse(parts[0] + "+00000000+" + parts[2]))
        .hasMessage(
            "verifier key example.com/log has key id 00000000 but its key gives " + parts[1]);
    assertThatThrownBy(() -> NoteKey.parse("example.com/log"))
        .hasMessageStartingWith("a verifier key is <name>+<key id>+<base64 key>");
    assertThatThrownBy(() -> NoteKey.parse(parts[0] + "+" + parts[1] + "+AgAA"))
        .hasMessage("verifier key example.com/log is not an Ed25519 key (type 0x01 and 32 bytes)");
    assertThatThrownBy(() -> NoteKey.parse(parts[0] + "+" + parts[1] + "+%%%"))
        .hasMessage("the key of verifier key example.com/log is not base64");
    assertThatThrownBy(() -> NoteKey.checkName("with space"))
        .hasMessage(
            "a key name must not hold spaces, plus signs or control characters, got \"with space\"");
    assertThatThrownBy(() -> NoteKey.checkName("a+b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NoteKey.checkName(""))
        .hasMessage("a key name must be 1 to 255 characters, got \"\"");
    assertThatThrownBy(() -> NoteKey.checkName("x".repeat(256)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(NoteKey.of(ORIGIN, SIGNER.publicKey()).sameKey(KEY)).isTrue();
    assertThat(NoteKey.of("x", SIGNER.publicKey()).sameKey(KEY)).isFalse();
  }

  @Test
  void checkpointBodiesAreReadStrictly() {
    String root = Rfc6962.base64(Rfc6962.emptyRoot());
    CheckpointBody body = CheckpointBody.parse("o\n0\n" + root + "\nextra\n");
    assertThat(body.size()).isZero();
    assertThat(body.extensions()).containsExactly("extra");
    assertThat(body.format()).isEqualTo("o\n0\n" + root + "\nextra\n");
    assertThatThrownBy(() -> CheckpointBody.parse("o\n01\n" + root + "\n"))
        .hasMessage("a checkpoint's size is a decimal without leading zeros, got \"01\"");
    assertThatThrownBy(() -> CheckpointBody.parse("o\n1\n"))
        .hasMessage("a checkpoint has an origin, a size and a root line, got 2 lines");
    assertThatThrownBy(() -> CheckpointBody.parse("o\n1\n" + root))
        .hasMessage("a checkpoint's text ends in a newline");
    assertThatThrownBy(() -> CheckpointBody.parse("o\n1\nAAAA\n"))
        .hasMessage("the checkpoint's root must be a 32-byte hash, got 3 bytes: \"AAAA\"");
    assertThatThrownBy(() -> CheckpointBody.parse("o\n1\n" + root + "\n\n"))
        .hasMessage("extension lines must be single non-empty lines");
    assertThatThrownBy(() -> CheckpointBody.parse("o\n99999999999999999999\n" + root + "\n"))
        .hasMessageStartingWith("a checkpoint's size is a decimal without leading zeros");
  }

  @Test
  void proofsRoundTripAndAreReadStrictly() {
    MerkleTree tree = MerkleTreeTest.tree(9);
    SignedNote checkpoint = signed("o\n9\n" + Rfc6962.base64(tree.root()) + "\n");
    TlogProof proof =
        new TlogProof(
            "record!".getBytes(StandardCharsets.UTF_8), 4, tree.inclusionProof(4, 9), checkpoint);
    String text = proof.format();
    assertThat(text).startsWith("c2sp.org/tlog-proof@v1\nextra cmVjb3JkIQ==\nindex 4\n");
    TlogProof parsed = TlogProof.parse(text);
    assertThat(parsed).isEqualTo(proof);
    assertThat(parsed.extraText()).isEqualTo("record!");
    assertThat(parsed.proof()).hasSize(4);
    TlogProof bare = new TlogProof(null, 0, List.of(), checkpoint);
    assertThat(TlogProof.parse(bare.format()).extra()).isNull();
    assertThatThrownBy(() -> TlogProof.parse(text.replace("index 4", "index 04")))
        .hasMessage("a proof names its entry with \"index N\" (no leading zeros) after the header");
    assertThatThrownBy(() -> TlogProof.parse(text.replace("c2sp.org/tlog-proof@v1", "v2")))
        .hasMessage("a proof starts with the line c2sp.org/tlog-proof@v1");
    assertThatThrownBy(() -> TlogProof.parse("c2sp.org/tlog-proof@v1\nindex 1\n"))
        .hasMessage("a proof ends in a blank line and a checkpoint");
    assertThatThrownBy(
            () -> TlogProof.parse(text.replace("extra cmVjb3JkIQ==", "extra cmVjb3JkIR==")))
        .hasMessage("the proof's extra data is not canonical base64");
    String firstHash = Rfc6962.base64(tree.inclusionProof(4, 9).get(0));
    assertThatThrownBy(() -> TlogProof.parse(text.replace(firstHash, "AAAA")))
        .hasMessage("proof hash 1 must be a 32-byte hash, got 3 bytes: \"AAAA\"");
    assertThatThrownBy(() -> new TlogProof(null, -1, List.of(), checkpoint))
        .hasMessage("index must not be negative, got -1");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
