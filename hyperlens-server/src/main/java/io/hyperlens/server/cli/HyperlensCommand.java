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
    subcommands = {
      DemoCommand.class,
      ServeCommand.class,
      KeysCommand.class,
      QueryCommands.Events.class,
      QueryCommands.Traces.class,
      QueryCommands.Trace.class,
      QueryCommands.Agents.class,
      QueryCommands.Tail.class,
      AuditCommand.class,
      AlertsCommand.class
    })
public final class HyperlensCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Kept so the level set on it is not lost to garbage collection. */
  private static final java.util.logging.Logger PDFBOX =
      java.util.logging.Logger.getLogger("org.apache.pdfbox");

  public static void main(String[] args) {
    // PDFBox warns on stderr that it draws Helvetica with a look-alike system font; a report is
    // written, not drawn, so the warning only confuses a terminal user.
    PDFBOX.setLevel(java.util.logging.Level.SEVERE);
    // LangChain4j's supervisor logs every step it plans at INFO; the demo's summary says it better.
    if (org.slf4j.LoggerFactory.getLogger("dev.langchain4j")
        instanceof ch.qos.logback.classic.Logger langChain4j) {
      langChain4j.setLevel(ch.qos.logback.classic.Level.WARN);
    }
    CommandLine cli = new CommandLine(new HyperlensCommand());
    // a bad option or value: its one line, not buried under the whole usage text
    cli.setParameterExceptionHandler(
        (bad, given) -> {
          CommandLine command = bad.getCommandLine();
          command.getErr().println(bad.getMessage());
          if (!CommandLine.UnmatchedArgumentException.printSuggestions(bad, command.getErr())) {
            command
                .getErr()
                .println("Try '" + command.getCommandSpec().qualifiedName() + " --help'.");
          }
          return command.getCommandSpec().exitCodeOnInvalidInput();
        });
    System.exit(cli.execute(args));
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
