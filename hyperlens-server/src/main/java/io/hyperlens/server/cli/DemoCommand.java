package io.hyperlens.server.cli;

import io.hyperlens.alerting.Alert;
import io.hyperlens.alerting.AlertConfig;
import io.hyperlens.alerting.AlertState;
import io.hyperlens.alerting.Alerting;
import io.hyperlens.alerting.AlertingStats;
import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.AuditVerifier;
import io.hyperlens.audit.Decision;
import io.hyperlens.audit.VerificationReport;
import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.report.ComplianceReport;
import io.hyperlens.audit.report.ReportFormat;
import io.hyperlens.audit.report.ReportRequest;
import io.hyperlens.audit.report.ReportSignature;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.audit.witness.DirectoryWitness;
import io.hyperlens.client.HubEventSink;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.governance.DecisionRecorder;
import io.hyperlens.otel.GovernanceMetrics;
import io.hyperlens.otel.OtelSpanSink;
import io.hyperlens.otel.TraceExporter;
import io.hyperlens.otel.Tracing;
import io.hyperlens.otel.TracingConfig;
import io.hyperlens.prometheus.AgentOsMetrics;
import io.hyperlens.prometheus.AgentOsTelemetry;
import io.hyperlens.prometheus.Metrics;
import io.hyperlens.prometheus.MetricsCollector;
import io.hyperlens.prometheus.MetricsConfig;
import io.hyperlens.prometheus.MetricsEndpoint;
import io.hyperlens.prometheus.RingMetricsBridge;
import io.hyperlens.server.alert.HubAlerts;
import io.hyperlens.server.demo.AgentWorkload;
import io.hyperlens.server.demo.DemoHub;
import io.hyperlens.server.demo.DemoMetrics;
import io.hyperlens.server.demo.DemoRun;
import io.hyperlens.server.demo.DemoWorkload;
import io.hyperlens.server.demo.LangChain4jWorkload;
import io.hyperlens.server.demo.PolicyAuditor;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.TracerMetrics;
import io.opentelemetry.api.metrics.MeterProvider;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
          + " compensate; or, with --workload langchain4j, real LangChain4j agents (a supervisor, a"
          + " researcher with a failing and a denied tool, a writer) answered by scripted models."
          + " Prints a live summary, then the events by type and one causal tree."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--duration",
      converter = DurationConverter.class,
      description =
          "How long to run (500ms, 10s, 2m, PT10S). Default: until Ctrl-C, or 10s with"
              + " --no-hub.")
  Duration duration;

  @Option(
      names = "--no-hub",
      description =
          "Run without the in-process hub: nothing to query afterwards, only the terminal"
              + " summary.")
  boolean noHub;

  @Option(
      names = "--hub-port",
      paramLabel = "PORT",
      defaultValue = "0",
      description = "The port of the in-process hub. Default: a free one.")
  int hubPort;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Keep the hub's data (store and API keys) in DIR, for a later `hyperlens serve --data"
              + " DIR`. Default: a temporary directory removed at the end.")
  Path data;

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
      names = "--workload",
      defaultValue = "simulated",
      paramLabel = "NAME",
      description =
          "simulated: agents simulated on the event bus; langchain4j: real LangChain4j agents (a"
              + " supervisor, a researcher with tools, a writer) answered by scripted models, traced"
              + " by hyperlens-langchain4j. Default: ${DEFAULT-VALUE}.")
  String workload;

  @Option(
      names = "--failure-rate",
      defaultValue = "0.2",
      description =
          "Probability that a saga's tool step fails (langchain4j: that the researcher's archive"
              + " tool times out). Default: ${DEFAULT-VALUE}.")
  double failureRate;

  @Option(
      names = "--breach-rate",
      defaultValue = "0.1",
      description =
          "Probability that a tool agent breaches its ring (langchain4j: that the researcher asks"
              + " for a tool the policy denies). Default: ${DEFAULT-VALUE}.")
  double breachRate;

  @Option(
      names = "--traces",
      description =
          "Export the workload's spans and saga spans through OpenTelemetry: otlp, zipkin, jaeger"
              + " (OTLP to Jaeger), console or none. Default: OTLP to the in-process hub, none"
              + " with --no-hub.")
  String traces;

  private DemoHub hub;

  @Option(
      names = "--traces-endpoint",
      description =
          "Where --traces sends spans; default http://localhost:4318/v1/traces for otlp and"
              + " jaeger, http://localhost:9411/api/v2/spans for zipkin.")
  String tracesEndpoint;

  @Option(
      names = "--audit",
      paramLabel = "DIR",
      description =
          "Record the workload's policy decisions (elevations, breaches, rate limits, escalations,"
              + " file writes) in a signed audit trail in DIR, verify it at the end and write a"
              + " signed PDF compliance report beside it.")
  Path auditDir;

  @Option(
      names = "--key-dir",
      paramLabel = "DIR",
      description =
          "Where the audit trail's private key is kept, never beside the trail. Default:"
              + " $HYPERLENS_KEY_DIR or ~/.hyperlens/keys.")
  Path keyDir;

  @Option(
      names = "--witness",
      paramLabel = "DIR",
      description =
          "Send every audit checkpoint to a witness in DIR (put it where the trail's writer cannot"
              + " write), so a cut or rewritten trail is caught later.")
  Path witnessDir;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description =
          "Serve the workload's metrics (ring metrics, JVM, process) at"
              + " http://127.0.0.1:PORT/metrics while it runs; 9464 is what"
              + " deploy/prometheus/prometheus.yml scrapes, 0 picks a free port.")
  Integer metricsPort;

  @Option(
      names = "--alerts",
      paramLabel = "FILE",
      converter = AlertConfigConverter.class,
      description =
          "Evaluate the alert rules of FILE (YAML or JSON: PagerDuty, Alertmanager, webhooks,"
              + " Slack) over the workload: in the hub, or on the demo's own bus with --no-hub. Alerts"
              + " still firing at the end are resolved unless --data keeps the hub's state."
              + " See deploy/hyperlens/alerts.yaml.")
  AlertConfig alerts;

  private Alerting localAlerting;

  private String validate() {
    if (rate < 1) {
      return "--rate must be at least 1, got " + rate;
    }
    if (!workload.equals("simulated") && !workload.equals("langchain4j")) {
      return "--workload must be simulated or langchain4j, got \"" + workload + "\"";
    }
    if (!(failureRate >= 0 && failureRate <= 1)) {
      return "--failure-rate must be within 0..1, got " + failureRate;
    }
    if (!(breachRate >= 0 && breachRate <= 1)) {
      return "--breach-rate must be within 0..1, got " + breachRate;
    }
    if (traces != null) {
      try {
        TracingConfig.builder().exporter(traces);
      } catch (IllegalArgumentException e) {
        return "--traces: " + e.getMessage();
      }
    }
    if (hubPort < 0 || hubPort > 65_535) {
      return "--hub-port must be within 0..65535, got " + hubPort;
    }
    if (noHub && data != null) {
      return "--data keeps the hub's data: it cannot go with --no-hub";
    }
    if (metricsPort != null && (metricsPort < 0 || metricsPort > 65_535)) {
      return "--metrics-port must be within 0..65535, got " + metricsPort;
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
    MetricsConfig config = MetricsConfig.defaults().withPort(metricsPort == null ? 0 : metricsPort);
    MetricsEndpoint metrics = null;
    if (metricsPort != null) {
      try {
        metrics = Metrics.enable(config);
      } catch (UncheckedIOException e) {
        spec.commandLine()
            .getErr()
            .println("--metrics-port: cannot serve on port " + metricsPort + ": " + e.getMessage());
        return 2;
      }
    }
    try {
      if (!noHub) {
        try {
          hub = DemoHub.start(data, hubPort, alerts);
        } catch (RuntimeException e) {
          spec.commandLine().getErr().println("--hub-port/--data: " + e.getMessage());
          return 2;
        }
        out.printf(
            "Hub at %s  read key: %s%n  open %s/ui and sign in with the read key%n"
                + "  try: curl -H 'Authorization: Bearer %s' %s/api/traces%n",
            hub.uri(), hub.readKey(), hub.uri(), hub.readKey(), hub.uri());
        hub.adminKey().ifPresent(key -> out.printf("  admin key (shown once): %s%n", key));
        out.flush();
      } else if (duration == null) {
        duration = Duration.ofSeconds(10);
      }
      return traced(out, config, metrics);
    } finally {
      if (hub != null) {
        hub.close();
      }
      if (metrics != null) {
        metrics.close();
      }
    }
  }

  private int traced(PrintWriter out, MetricsConfig config, MetricsEndpoint metrics) {
    TracingConfig tracingConfig;
    boolean nothingAnswers;
    try {
      TracingConfig.Builder builder =
          TracingConfig.builder()
              .serviceName("hyperlens-demo")
              .exporter(traces != null ? traces : hub != null ? "otlp" : "none")
              .endpoint(traces == null && hub != null ? hub.tracesEndpoint() : tracesEndpoint)
              // a demo waits a little for a collector, not the library's 10 s per export
              .exportTimeout(Duration.ofSeconds(3))
              .shutdownTimeout(Duration.ofSeconds(5))
              .registerGlobal(false);
      if (metrics != null) {
        // the OpenTelemetry metrics (governance, the SDK's own) on the same endpoint
        builder.metricsRegistry(metrics.registry());
      }
      if (traces == null && hub != null) {
        builder.header("Authorization", "Bearer " + hub.ingestKey());
      }
      tracingConfig = builder.build();
      nothingAnswers = tracingConfig.endpoint().map(e -> !answers(e)).orElse(false);
      if (nothingAnswers) {
        // nothing to wait for at the end: the spans are counted as failed either way
        tracingConfig = builder.shutdownTimeout(Duration.ofSeconds(1)).build();
      }
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("--traces: " + e.getMessage());
      return 2;
    }
    FailureLines failures =
        tracingConfig.exporter() == TraceExporter.NONE
            ? null
            : FailureLines.install(spec.commandLine().getErr());
    try {
      return run(out, tracingConfig, failures, nothingAnswers, config, metrics);
    } finally {
      if (failures != null) {
        failures.close();
      }
    }
  }

  private int run(
      PrintWriter out,
      TracingConfig tracingConfig,
      FailureLines failures,
      boolean nothingAnswers,
      MetricsConfig config,
      MetricsEndpoint metrics) {
    int exit = 0;
    HypervisorEventBus bus = new HypervisorEventBus();
    AuditLog auditLog;
    Path keys = keyDir != null ? keyDir : AuditKeys.defaultKeyDirectory();
    DirectoryWitness witness = null;
    try {
      if (witnessDir != null) {
        if (auditDir == null) {
          spec.commandLine().getErr().println("--witness needs --audit DIR");
          return 2;
        }
        witness = DirectoryWitness.open(witnessDir);
      }
      auditLog = auditDir == null ? null : AuditLog.open(auditDir, keys, null, witness);
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
      spec.commandLine().getErr().println("--audit: " + e.getMessage());
      return 2;
    }
    Tracing tracing =
        tracingConfig.exporter() == TraceExporter.NONE ? null : Tracing.enable(tracingConfig);
    if (nothingAnswers) {
      failures.nothingAnswers();
      spec.commandLine()
          .getErr()
          .println(
              "hyperlens: nothing answers at "
                  + tracingConfig.endpoint().orElseThrow()
                  + "; the demo runs and counts the spans it cannot export");
    }
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    Thread onCtrlC =
        new Thread(
            () -> {
              stop.set(true);
              try {
                // the summary, the hub's last batches and the audit report need a moment
                finished.await(20, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "hyperlens-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    PolicyAuditor auditor = null;
    DemoMetrics demoMetrics = null;
    // Without an exporter, OpenTelemetry still meters the governance layer onto the endpoint.
    Tracing meters = tracing == null && metrics != null ? Tracing.enable(tracingConfig) : tracing;
    try {
      if (hub != null) {
        hub.feed(bus);
      } else if (alerts != null) {
        localAlerting = Alerting.start(alerts);
        localAlerting.attach(bus);
      }
      // every place decisions go: the local signed trail (--audit), the hub's, local alerting
      List<DecisionRecorder> recorders = new ArrayList<>();
      if (auditLog != null) {
        recorders.add(auditLog);
      }
      if (hub != null) {
        recorders.add(hub.decisions());
      }
      if (localAlerting != null) {
        recorders.add(localAlerting.decisionRecorder());
      }
      DecisionRecorder decisions =
          recorders.isEmpty()
              ? null
              : (agent, action, resource, policy, decision, context) -> {
                for (DecisionRecorder recorder : recorders) {
                  recorder.record(agent, action, resource, policy, decision, context);
                }
              };
      DistributedTracer tracer =
          tracing == null
              ? DistributedTracer.builder().serviceName("hyperlens-demo").build()
              : tracing.tracer();
      DemoWorkload workload =
          this.workload.equals("langchain4j")
              ? new LangChain4jWorkload(
                  bus,
                  tracer,
                  meters == null ? MeterProvider.noop() : meters.meterProvider(),
                  decisions,
                  seed,
                  failureRate,
                  breachRate)
              : new AgentWorkload(bus, tracer, seed, failureRate, breachRate);
      OtelSpanSink sagaSink = tracing == null ? null : tracing.sagaSink();
      DemoRun demo = new DemoRun(bus, workload, out, sagaSink);
      PrometheusRegistry registry = metrics != null ? metrics.registry() : new PrometheusRegistry();
      if (metrics != null) {
        registry.register(new RingMetricsBridge(demo.ringMetrics()));
        out.println("Metrics at " + metrics.uri() + " while the demo runs");
        out.flush();
      }
      // The governance layer: each policy decision one AgentOsTelemetry call, so it is a span,
      // agent_os_* metrics and (with --audit) an audit record at once.
      AgentOsMetrics osMetrics = AgentOsMetrics.builder().registry(registry).config(config).build();
      AgentOsTelemetry.Builder telemetryBuilder =
          AgentOsTelemetry.builder().tracer(workload.tracer()).metrics(osMetrics);
      if (decisions != null) {
        telemetryBuilder.decisions(decisions);
      }
      AgentOsTelemetry telemetry = telemetryBuilder.build();
      GovernanceMetrics governance =
          meters == null ? null : new GovernanceMetrics(meters.meterProvider());
      auditor = new PolicyAuditor(bus, telemetry, governance);
      demoMetrics =
          new DemoMetrics(
              bus, MetricsCollector.builder().registry(registry).build(), osMetrics, telemetry);
      if (governance != null) {
        governance.registerActiveAgentsGauge(demoMetrics::activeAgents);
      }
      demo.run(duration, rate, interval, stop::get);
      if (tracing != null) {
        tracing.close();
        exit = printExport(out, spec.commandLine().getErr(), tracing, sagaSink, failures);
      }
      auditor.close();
      if (auditLog != null) {
        auditLog.close();
        printAudit(out, auditDir, keys, witness, auditor);
      }
      if (hub != null) {
        printHub(out, hub);
        if (hub.alerts().isPresent()) {
          HubAlerts a = hub.alerts().get();
          settle(a::settle);
          printAlerts(out, a.stats(), a.active(), a.history());
          if (hub.keptData().isEmpty()) {
            // its state goes with the temporary data: nothing would ever resolve these
            int firing = a.firingCount();
            a.resolveAll();
            printResolvedAtExit(out, firing, resolvesDelivered(out, a::settle), a.stats());
          } else {
            out.println("  alerts still firing stay so in the kept data; serve it to carry on");
          }
        }
      }
      if (localAlerting != null) {
        settle(localAlerting::settle);
        printAlerts(out, localAlerting.stats(), localAlerting.alerts(), localAlerting.history());
        int firing =
            (int)
                localAlerting.alerts().stream().filter(x -> x.state() == AlertState.FIRING).count();
        localAlerting.resolveAll(); // the run is over: nothing would ever resolve them
        printResolvedAtExit(
            out, firing, resolvesDelivered(out, localAlerting::settle), localAlerting.stats());
      }
    } finally {
      if (localAlerting != null) {
        localAlerting.close();
      }
      if (auditor != null) {
        auditor.close();
      }
      if (demoMetrics != null) {
        demoMetrics.close();
      }
      if (meters != null && meters != tracing) {
        meters.close();
      }
      if (auditLog != null) {
        auditLog.close();
      }
      if (tracing != null) {
        tracing.close();
      }
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(onCtrlC);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running and waits for the summary printed above.
      }
    }
    return exit;
  }

  private static void printAudit(
      PrintWriter out, Path dir, Path keys, DirectoryWitness witness, PolicyAuditor auditor) {
    Path file = dir.resolve(AuditLog.STORE_FILE);
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      // Verified as an outsider would: from the file, trusting only a key held outside it.
      VerificationReport verification =
          AuditVerifier.verify(store, TrustAnchor.heldKeys(keys), witness);
      ComplianceReport report =
          ComplianceReport.generate(
              store,
              verification,
              ReportRequest.builder()
                  .format(ReportFormat.PDF)
                  .timeRange("last_24h")
                  .organization("Hyperlens demo workload")
                  .build(),
              Clock.systemUTC());
      Path pdf = dir.resolve("compliance-report.pdf");
      report.save(pdf);
      String fingerprint = verification.fingerprints().get(verification.fingerprints().size() - 1);
      Path signature =
          AuditKeys.loadAll(keys).stream()
              .filter(k -> k.fingerprint().equals(fingerprint))
              .findFirst()
              .map(k -> ReportSignature.sign(pdf, k))
              .orElse(null);
      out.printf(
          Locale.ROOT,
          "%nAudit trail %s: %,d decisions in the last 24h (%,d allow, %,d deny, %,d audit)%s%n"
              + "  %s%n  compliance report: %s%s%n"
              + "  signing key %s, private half in %s (never beside the trail)%n"
              + "  to verify elsewhere, pin it: bin/hyperlens audit pin %s --fingerprint %s%n",
          file,
          report.summary().totalRecords(),
          report.summary().byDecision().get(Decision.ALLOW),
          report.summary().byDecision().get(Decision.DENY),
          report.summary().byDecision().get(Decision.AUDIT),
          auditor.failures() == 0 ? "" : ", " + auditor.failures() + " failed to append",
          verification.summary(),
          pdf,
          signature == null ? "" : " (signature " + signature + ")",
          fingerprint,
          keys,
          dir,
          fingerprint);
    }
    out.flush();
  }

  /** Waits up to 5 s for alert notifications in flight, so the summary counts them. */
  private static void settle(Settle settle) {
    try {
      settle.settle(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private interface Settle {
    boolean settle(Duration timeout) throws InterruptedException;
  }

  /**
   * Waits for the resolves sent at the end: up to two minutes (PagerDuty takes 2 events a second),
   * saying so when it is more than a moment.
   */
  private static boolean resolvesDelivered(PrintWriter out, Settle settle) {
    try {
      if (settle.settle(Duration.ofSeconds(3))) {
        return true;
      }
      out.println("  waiting for the resolves to go out (PagerDuty takes 2 a second)...");
      out.flush();
      return settle.settle(Duration.ofMinutes(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void printResolvedAtExit(
      PrintWriter out, int firing, boolean delivered, AlertingStats stats) {
    if (firing == 0) {
      return;
    }
    long sent = stats.channels().stream().mapToLong(AlertingStats.Channel::sent).sum();
    long queued = stats.channels().stream().mapToLong(AlertingStats.Channel::queued).sum();
    out.printf(
        Locale.ROOT,
        delivered
            ? "  the demo is over: its %,d firing alert(s) resolved, so no incident stays open"
                + " (%,d notifications sent in all)%n"
            : "  the demo is over: its %,d firing alert(s) resolved, but %,d notification(s) could"
                + " not go out in time: those incidents stay open%n",
        firing,
        delivered ? sent : queued);
  }

  private static void printAlerts(
      PrintWriter out, AlertingStats stats, List<Alert> active, List<Alert> resolved) {
    long firing = active.stream().filter(a -> a.state() == AlertState.FIRING).count();
    out.printf(
        Locale.ROOT,
        "%nAlerts: %,d firing, %,d pending, %,d resolved (%,d observations, %,d dropped)%n",
        firing,
        active.size() - firing,
        resolved.size(),
        stats.observed(),
        stats.dropped());
    // the most severe first: a page matters more than a warning
    List<Alert> shown =
        active.stream()
            .sorted(
                java.util.Comparator.comparing(Alert::state)
                    .reversed()
                    .thenComparing(Alert::severity)
                    .thenComparing(Alert::ruleId))
            .limit(8)
            .toList();
    shown.forEach(
        a ->
            out.printf(
                "  %-7s %-8s %s: %s%n",
                a.state().value(), a.severity().value(), a.ruleId(), a.summary()));
    if (active.size() > shown.size()) {
      out.printf(
          Locale.ROOT,
          "  ... and %,d more (GET /api/alerts lists them all)%n",
          active.size() - shown.size());
    }
    for (AlertingStats.Channel c : stats.channels()) {
      out.printf(
          Locale.ROOT,
          "  channel %s: %,d sent, %,d failed, %,d retried, %,d dropped%s%n",
          c.name(),
          c.sent(),
          c.failed(),
          c.retried(),
          c.dropped(),
          c.lastError() == null ? "" : " (last error: " + c.lastError() + ")");
    }
    out.flush();
  }

  private static void printHub(PrintWriter out, DemoHub hub) {
    HubEventSink.Stats shipped = hub.drain();
    DemoHub.Stored stored = hub.stored();
    out.printf(
        Locale.ROOT,
        "%nHub at %s stored %,d events and %,d spans (events shipped %,d, dropped %,d,"
            + " failed %,d)%n",
        hub.uri(),
        stored.events(),
        stored.spans(),
        shipped.sent() + shipped.duplicates(),
        shipped.dropped(),
        shipped.failed() + shipped.rejected());
    HubEventSink.Stats decisions = hub.decisions().stats();
    out.printf(
        Locale.ROOT,
        "  and %,d policy decisions in its audit trail (shipped %,d, dropped %,d, failed %,d)%n",
        hub.storedDecisions(),
        decisions.sent() + decisions.duplicates(),
        decisions.dropped(),
        decisions.failed() + decisions.rejected());
    hub.keptData()
        .ifPresentOrElse(
            dir ->
                out.printf(
                    "  data kept in %s; to explore it again: bin/hyperlens serve --data %s%n",
                    dir, dir),
            () -> out.println("  (its data was temporary; --data DIR keeps it)"));
    out.flush();
  }

  /** Whether something accepts a connection where {@code endpoint} points, within a second. */
  static boolean answers(String endpoint) {
    URI uri = URI.create(endpoint);
    int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), port), 1000);
      return true;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Prints what was exported; when spans were sent somewhere and none arrived, says so on {@code
   * err} in one line and returns 1.
   */
  private static int printExport(
      PrintWriter out,
      PrintWriter err,
      Tracing tracing,
      OtelSpanSink sagas,
      FailureLines failures) {
    TracerMetrics spans = tracing.tracer().getMetrics();
    long exported = spans.spansExported() + sagas.exportedSpans();
    long failed = spans.exportFailedSpans() + sagas.failedSpans();
    long dropped = spans.exportDropped() + sagas.droppedSpans();
    String endpoint = tracing.config().endpoint().orElse(null);
    out.printf(
        Locale.ROOT,
        "%nExported to %s%s: %,d spans and %,d saga spans; %,d failed, %,d dropped%n",
        tracing.config().exporter().value(),
        endpoint == null ? "" : " at " + endpoint,
        spans.spansExported(),
        sagas.exportedSpans(),
        failed,
        dropped);
    out.flush();
    // what was made to go out: the tracer's finished spans (less those sampled out) and the
    // saga spans, whether exported, failed, dropped or still queued when the time ran out
    long made =
        Math.max(
            spans.spansFinished() - spans.spansSampledOut() + sagas.exportedSpans(),
            exported + failed + dropped);
    if (endpoint == null || exported > 0 || made == 0) {
      return 0;
    }
    err.printf(
        Locale.ROOT,
        "%,d of %,d spans exported: %s%n",
        exported,
        made,
        failures.nothingAnswered()
            ? "nothing answered at " + endpoint
            : endpoint
                + " did not take them"
                + (failures.firstCause() == null ? "" : " (" + failures.firstCause() + ")"));
    err.flush();
    return 1;
  }
}
