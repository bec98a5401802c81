package io.hyperlens.server.cli;

import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.server.demo.AgentWorkload;
import io.hyperlens.server.demo.DemoRun;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hyperlens demo}: a simulated multi-agent workload on the core, with a live summary. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = HyperlensCommand.Version.class,
    description = {
      "Runs a simulated multi-agent workload: an orchestrator spawning researcher, writer and"
          + " tool agents, ring assignments, elevations, breaches, and sagas that fail and"
          + " compensate. Prints a live summary, then the events by type and one causal tree."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--duration",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "How long to run (500ms, 10s, 2m, PT10S). Default: ${DEFAULT-VALUE}.")
  Duration duration;

  @Option(
      names = "--rate",
      defaultValue = "20",
      description = "Workflows started per second. Default: ${DEFAULT-VALUE}.")
  int rate;

  @Option(
      names = "--interval",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "How often to print the live line. Default: ${DEFAULT-VALUE}.")
  Duration interval;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Random seed of the workload. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--failure-rate",
      defaultValue = "0.2",
      description = "Probability that a saga's tool step fails. Default: ${DEFAULT-VALUE}.")
  double failureRate;

  @Option(
      names = "--breach-rate",
      defaultValue = "0.1",
      description = "Probability that a tool agent breaches its ring. Default: ${DEFAULT-VALUE}.")
  double breachRate;

  private String validate() {
    if (rate < 1) {
      return "--rate must be at least 1, got " + rate;
    }
    if (!(failureRate >= 0 && failureRate <= 1)) {
      return "--failure-rate must be within 0..1, got " + failureRate;
    }
    if (!(breachRate >= 0 && breachRate <= 1)) {
      return "--breach-rate must be within 0..1, got " + breachRate;
    }
    return null;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    String invalid = validate();
    if (invalid != null) {
      spec.commandLine().getErr().println(invalid);
      return 2;
    }
    HypervisorEventBus bus = new HypervisorEventBus();
    AgentWorkload workload = new AgentWorkload(bus, seed, failureRate, breachRate);
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    Thread onCtrlC =
        new Thread(
            () -> {
              stop.set(true);
              try {
                finished.await(5, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "hyperlens-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    try {
      new DemoRun(bus, workload, out).run(duration, rate, interval, stop::get);
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(onCtrlC);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running and waits for the summary printed above.
      }
    }
    return 0;
  }
}
