package io.hyperlens.server.cli;

import io.hyperlens.server.auth.ApiKeys;
import io.hyperlens.server.auth.Scope;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hyperlens keys}: the hub's API keys, offline on its data directory. */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description =
        "Creates, lists and revokes the hub's API keys in its data directory (a running hub sees"
            + " the change within a second).",
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("keys: name a subcommand.");
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** Options shared by the subcommands. */
  static class DataOption {
    @Option(
        names = "--data",
        defaultValue = "hyperlens-data",
        description = "The hub's data directory (default: ${DEFAULT-VALUE}).")
    Path data;
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Creates a key and prints it alone on stdout: the only time it is shown.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Mixin DataOption data = new DataOption();

    @Option(names = "--name", required = true, description = "A unique name for the key.")
    String name;

    @Option(
        names = "--scope",
        required = true,
        description = "Comma-separated scopes: ingest, read, admin.")
    String scope;

    @Override
    public Integer call() {
      try {
        String key = ApiKeys.open(data.data).create(name, Scope.parseList(scope));
        spec.commandLine().getOut().println(key);
        return 0;
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("keys create: " + e.getMessage());
        return 2;
      }
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the keys: name, scopes, creation time (never the keys).")
  static final class ListKeys implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Mixin DataOption data = new DataOption();

    @Override
    public Integer call() {
      try {
        PrintWriter out = spec.commandLine().getOut();
        for (ApiKeys.Entry entry : ApiKeys.open(data.data).list()) {
          out.printf(
              "%-24s %-20s %s%n",
              entry.name(), String.join(",", entry.scopeNames()), entry.created());
        }
        out.flush();
        return 0;
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("keys list: " + e.getMessage());
        return 2;
      }
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes a key.")
  static final class Revoke implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Mixin DataOption data = new DataOption();

    @Parameters(index = "0", description = "The key's name.")
    String name;

    @Override
    public Integer call() {
      try {
        if (!ApiKeys.open(data.data).revoke(name)) {
          spec.commandLine().getErr().println("keys revoke: no key named \"" + name + "\"");
          return 1;
        }
        spec.commandLine().getOut().println("revoked " + name);
        return 0;
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("keys revoke: " + e.getMessage());
        return 2;
      }
    }
  }
}
