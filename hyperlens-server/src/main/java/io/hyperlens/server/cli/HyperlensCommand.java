package io.hyperlens.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code hyperlens} command line, run by {@code bin/hyperlens}.
 *
 * <pre>{@code
 * int exitCode = new CommandLine(new HyperlensCommand()).execute("demo", "--duration", "5s");
 * }</pre>
 */
@Command(
    name = "hyperlens",
    mixinStandardHelpOptions = true,
    versionProvider = HyperlensCommand.Version.class,
    description = "Observability and governance telemetry for AI-agent runtimes.",
    subcommands = {DemoCommand.class})
public final class HyperlensCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new HyperlensCommand()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties props = new Properties();
      try (InputStream in = HyperlensCommand.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          props.load(in);
        }
      }
      return new String[] {"hyperlens " + props.getProperty("version", "unknown")};
    }
  }
}
