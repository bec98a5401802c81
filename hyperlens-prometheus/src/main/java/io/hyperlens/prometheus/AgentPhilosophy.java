package io.hyperlens.prometheus;

/**
 * How an agent reasons, as the seed's {@code AgentPhilosophy}; the label value is {@link #value()}.
 */
public enum AgentPhilosophy {
  /** Reason-and-act loops. */
  REACT("react"),
  /** Chain-of-thought steps. */
  CHAIN_OF_THOUGHT("cot"),
  /** Several agents exchanging messages. */
  MULTI_AGENT("multi_agent"),
  /** Goal-driven autonomous agents. */
  AUTONOMOUS("autonomous");

  private final String value;

  AgentPhilosophy(String value) {
    this.value = value;
  }

  /** The label value, e.g. {@code "react"}. */
  public String value() {
    return value;
  }
}
