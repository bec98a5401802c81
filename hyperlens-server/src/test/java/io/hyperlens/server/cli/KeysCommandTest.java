package io.hyperlens.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.server.auth.ApiKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** hyperlens keys create | list | revoke, offline on a data directory. */
class KeysCommandTest {
  @TempDir Path data;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    return new CommandLine(new HyperlensCommand())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  @Test
  void createPrintsTheKeyAloneListShowsNoSecretAndRevokeEndsIt() {
    String dir = data.toString();
    assertThat(run("keys", "create", "--data", dir, "--name", "ci", "--scope", "ingest,read"))
        .isZero();
    String key = out.toString().strip();
    assertThat(out.toString()).matches("hl_[0-9a-f]{12}_[A-Za-z0-9_-]{43}\n");
    assertThat(ApiKeys.open(data).authenticate(key)).isPresent();

    assertThat(run("keys", "list", "--data", dir)).isZero();
    assertThat(out.toString()).contains("ci").contains("ingest,read").doesNotContain(key);

    assertThat(run("keys", "create", "--data", dir, "--name", "ci", "--scope", "read"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("a key named \"ci\" exists already");
    assertThat(run("keys", "create", "--data", dir, "--name", "x", "--scope", "write"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("unknown scope \"write\"");

    assertThat(run("keys", "revoke", "--data", dir, "ci")).isZero();
    assertThat(ApiKeys.open(data).authenticate(key)).isEmpty();
    assertThat(run("keys", "revoke", "--data", dir, "ci")).isEqualTo(1);
    assertThat(run("keys")).isEqualTo(2);
    assertThat(err.toString()).contains("name a subcommand");
  }

  @Test
  void serveRefusesNoAuthOffLoopback() {
    assertThat(
            run(
                "serve",
                "--bind",
                "0.0.0.0",
                "--no-auth",
                "--data",
                data.toString(),
                "--port",
                "0"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--no-auth is refused on 0.0.0.0");
  }
}
