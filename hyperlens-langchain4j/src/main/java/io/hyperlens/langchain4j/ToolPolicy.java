package io.hyperlens.langchain4j;

import io.hyperlens.governance.PolicyDecision;

/**
 * Decides whether an agent may run a tool, before it runs. A denied call never reaches the tool:
 * the model gets an error result naming the reason, the {@code execute_tool} span fails with {@code
 * error.type} {@value HyperlensAgentListener#TOOL_DENIED}, and the decision goes to the audit trail
 * when one is configured ({@link HyperlensLangChain4jBuilder#decisions}).
 *
 * <p>Called on the thread that runs the tool; must be thread-safe. A policy that throws denies the
 * call (fail closed), and the failure is counted.
 *
 * <pre>{@code
 * ToolPolicy noShell =
 *     call -> call.toolName().equals("shell")
 *         ? PolicyDecision.deny("shell is not allowed for " + call.agentName())
 *         : PolicyDecision.allow("default");
 * }</pre>
 */
@FunctionalInterface
public interface ToolPolicy {
  /** The decision on {@code call}; never null. */
  PolicyDecision evaluate(ToolCall call);
}
