package io.hyperlens.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import io.hyperlens.governance.DecisionRecorder;
import io.hyperlens.governance.PolicyDecision;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** A tool that asks a {@link ToolPolicy} first, and records what it decided. */
final class GuardedToolExecutor implements ToolExecutor {
  private final ToolExecutor tool;
  private final String policyId;
  private final ToolPolicy policy;
  private final DecisionRecorder decisions;
  private final Function<String, String> agentDids;
  private final HyperlensLangChain4j owner;

  GuardedToolExecutor(
      ToolExecutor tool,
      String policyId,
      ToolPolicy policy,
      DecisionRecorder decisions,
      Function<String, String> agentDids,
      HyperlensLangChain4j owner) {
    this.tool = tool;
    this.policyId = policyId;
    this.policy = policy;
    this.decisions = decisions;
    this.agentDids = agentDids;
    this.owner = owner;
  }

  @Override
  public String execute(ToolExecutionRequest request, Object memoryId) {
    PolicyDecision decision = decide(request, null);
    if (decision.denied()) {
      throw new ToolDeniedException(request.name(), reason(decision));
    }
    return tool.execute(request, memoryId);
  }

  @Override
  public ToolExecutionResult executeWithContext(
      ToolExecutionRequest request, InvocationContext context) {
    PolicyDecision decision = decide(request, context);
    if (decision.denied()) {
      String reason = reason(decision);
      return ToolExecutionResult.builder()
          .isError(true)
          .resultText(new ToolDeniedException(request.name(), reason).getMessage())
          .attributes(Map.of(HyperlensAgentListener.DENIED_ATTRIBUTE, reason))
          .build();
    }
    return tool.executeWithContext(request, context);
  }

  private PolicyDecision decide(ToolExecutionRequest request, InvocationContext context) {
    HyperlensAgentListener listener = owner.agentListener();
    // The agent is found from the call's agentic scope too: tools run concurrently run on other
    // threads than their agent's.
    Optional<HyperlensAgentListener.Invocation> agent = listener.invocationOf(context);
    String agentName =
        agent
            .map(a -> a.name)
            .orElseGet(() -> context == null ? "unknown" : simpleName(context.interfaceName()));
    String did = agent.map(a -> a.did).orElseGet(() -> agentDids.apply(agentName));
    String session = agent.map(HyperlensAgentListener.Invocation::sessionId).orElse(null);
    String arguments = request.arguments() == null ? "" : request.arguments();
    ToolCall call = new ToolCall(agentName, did, request.name(), arguments, request.id(), session);
    PolicyDecision decision;
    if (agent.isEmpty() && listener.inTracedRun(context)) {
      // a traced run whose calling agent cannot be told: the policy could not judge it rightly
      decision = PolicyDecision.deny("the agent calling " + request.name() + " is unknown");
    } else {
      try {
        decision = policy.evaluate(call);
        if (decision == null) {
          throw new IllegalStateException("tool policy " + policyId + " returned no decision");
        }
      } catch (RuntimeException | Error e) { // fail closed, whatever the policy threw
        owner.policyFailed(e);
        decision =
            PolicyDecision.deny("tool policy " + policyId + " failed: " + e.getClass().getName());
      }
    }
    if (decisions != null) {
      Map<String, Object> auditContext = new LinkedHashMap<>();
      if (session != null) {
        auditContext.put("session_id", session);
      }
      if (request.id() != null) {
        auditContext.put("tool_call_id", request.id());
      }
      agent.ifPresent(a -> auditContext.put("causal_trace_id", a.causal.fullId()));
      try {
        decisions.record(did, "tool.execute", request.name(), policyId, decision, auditContext);
      } catch (RuntimeException e) {
        owner.recordFailed(e);
      }
    }
    return decision;
  }

  /** A denial's reason, which a policy may leave out. */
  private String reason(PolicyDecision decision) {
    return decision.reason() == null ? "denied by " + policyId : decision.reason();
  }

  private static String simpleName(String interfaceName) {
    if (interfaceName == null) {
      return "unknown";
    }
    int dot = Math.max(interfaceName.lastIndexOf('.'), interfaceName.lastIndexOf('$'));
    return interfaceName.substring(dot + 1);
  }
}
