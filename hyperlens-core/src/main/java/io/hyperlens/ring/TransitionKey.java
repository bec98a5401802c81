package io.hyperlens.ring;

/**
 * Labels of {@code agent_hypervisor_ring_transitions_total}: the dotted event type, the agent and
 * the session ({@code "unknown"} when the event had none).
 */
public record TransitionKey(String eventType, String agentDid, String sessionId) {}
