package io.hyperlens.langchain4j;

/**
 * A tool call a {@link ToolPolicy} denied. Its message is what the model reads as the tool's
 * result: {@code tool "shell" denied by policy: {reason}}.
 */
public final class ToolDeniedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String toolName;
  private final String reason;

  /** The call of {@code toolName} denied for {@code reason}. */
  public ToolDeniedException(String toolName, String reason) {
    super("tool \"" + toolName + "\" denied by policy: " + reason);
    this.toolName = toolName;
    this.reason = reason;
  }

  /** The tool denied. */
  public String toolName() {
    return toolName;
  }

  /** Why. */
  public String reason() {
    return reason;
  }
}
