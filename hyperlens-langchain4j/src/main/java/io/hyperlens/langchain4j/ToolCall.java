package io.hyperlens.langchain4j;

/**
 * A tool call a {@link ToolPolicy} decides on: which agent asks for which tool, with which
 * arguments (the model's JSON, as LangChain4j passes it), in which session.
 *
 * @param agentName the LangChain4j agent's name, or the AI service's interface when no agent runs
 * @param agentDid the agent's DID, as its spans and events carry it
 * @param toolName the tool's name
 * @param arguments the call's arguments as JSON text, never null
 * @param toolCallId the model's id of the call; may be null
 * @param sessionId the session of the agentic run; may be null outside one
 */
public record ToolCall(
    String agentName,
    String agentDid,
    String toolName,
    String arguments,
    String toolCallId,
    String sessionId) {}
