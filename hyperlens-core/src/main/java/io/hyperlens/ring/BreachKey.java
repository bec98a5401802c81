package io.hyperlens.ring;

/**
 * Labels of {@code agent_hypervisor_ring_breaches_total}: the agent and the session ({@code
 * "unknown"} when the event had none).
 */
public record BreachKey(String agentDid, String sessionId) {}
