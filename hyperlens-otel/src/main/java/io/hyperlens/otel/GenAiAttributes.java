package io.hyperlens.otel;

import static io.opentelemetry.api.common.AttributeKey.doubleKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * Every attribute key and well-known value the GenAI helpers write, in one place.
 *
 * <p>They follow the OpenTelemetry GenAI semantic conventions as of semconv {@value
 * #CONVENTIONS_VERSION} (checked against the v1.41 documents). The conventions moved to their own
 * repository with semconv 1.42, and newer {@code opentelemetry-semconv-incubating} jars mark their
 * GenAI constants deprecated, so Hyperlens keeps its own: a change of convention is a change here.
 * The content attributes ({@code gen_ai.input.messages}, {@code gen_ai.output.messages}, {@code
 * gen_ai.system_instructions}) are typed "any" by the conventions and have no semconv-jar constant;
 * Hyperlens writes them as JSON strings in the structure the conventions' JSON schemas give.
 *
 * <p>Constants only; thread-safe.
 *
 * <pre>{@code
 * span.setAttribute(GenAiAttributes.GEN_AI_PROVIDER_NAME.getKey(), "openai");
 * }</pre>
 */
public final class GenAiAttributes {
  /** The semantic conventions version these keys follow. */
  public static final String CONVENTIONS_VERSION = "1.37.0";

  /** {@code gen_ai.operation.name}: {@code chat}, {@code invoke_agent}, ... */
  public static final AttributeKey<String> GEN_AI_OPERATION_NAME =
      stringKey("gen_ai.operation.name");

  /** {@code gen_ai.provider.name}, Required: {@code openai}, {@code anthropic}, ... */
  public static final AttributeKey<String> GEN_AI_PROVIDER_NAME = stringKey("gen_ai.provider.name");

  /** {@code gen_ai.request.model}. */
  public static final AttributeKey<String> GEN_AI_REQUEST_MODEL = stringKey("gen_ai.request.model");

  /** {@code gen_ai.request.temperature}. */
  public static final AttributeKey<Double> GEN_AI_REQUEST_TEMPERATURE =
      doubleKey("gen_ai.request.temperature");

  /** {@code gen_ai.request.max_tokens}. */
  public static final AttributeKey<Long> GEN_AI_REQUEST_MAX_TOKENS =
      longKey("gen_ai.request.max_tokens");

  /** {@code gen_ai.request.top_p}. */
  public static final AttributeKey<Double> GEN_AI_REQUEST_TOP_P = doubleKey("gen_ai.request.top_p");

  /** {@code gen_ai.response.model}. */
  public static final AttributeKey<String> GEN_AI_RESPONSE_MODEL =
      stringKey("gen_ai.response.model");

  /** {@code gen_ai.response.id}. */
  public static final AttributeKey<String> GEN_AI_RESPONSE_ID = stringKey("gen_ai.response.id");

  /** {@code gen_ai.response.finish_reasons}, a string array. */
  public static final AttributeKey<List<String>> GEN_AI_RESPONSE_FINISH_REASONS =
      stringArrayKey("gen_ai.response.finish_reasons");

  /** {@code gen_ai.usage.input_tokens}. */
  public static final AttributeKey<Long> GEN_AI_USAGE_INPUT_TOKENS =
      longKey("gen_ai.usage.input_tokens");

  /** {@code gen_ai.usage.output_tokens}. */
  public static final AttributeKey<Long> GEN_AI_USAGE_OUTPUT_TOKENS =
      longKey("gen_ai.usage.output_tokens");

  /**
   * {@code gen_ai.token.type} on {@code gen_ai.client.token.usage}: {@code input}, {@code output}.
   */
  public static final AttributeKey<String> GEN_AI_TOKEN_TYPE = stringKey("gen_ai.token.type");

  /** {@code gen_ai.conversation.id}. */
  public static final AttributeKey<String> GEN_AI_CONVERSATION_ID =
      stringKey("gen_ai.conversation.id");

  /** {@code gen_ai.agent.id}. */
  public static final AttributeKey<String> GEN_AI_AGENT_ID = stringKey("gen_ai.agent.id");

  /** {@code gen_ai.agent.name}. */
  public static final AttributeKey<String> GEN_AI_AGENT_NAME = stringKey("gen_ai.agent.name");

  /** {@code gen_ai.agent.description}. */
  public static final AttributeKey<String> GEN_AI_AGENT_DESCRIPTION =
      stringKey("gen_ai.agent.description");

  /** {@code gen_ai.tool.name}. */
  public static final AttributeKey<String> GEN_AI_TOOL_NAME = stringKey("gen_ai.tool.name");

  /** {@code gen_ai.tool.call.id}. */
  public static final AttributeKey<String> GEN_AI_TOOL_CALL_ID = stringKey("gen_ai.tool.call.id");

  /** {@code gen_ai.tool.type}: {@code function}, {@code extension}, {@code datastore}. */
  public static final AttributeKey<String> GEN_AI_TOOL_TYPE = stringKey("gen_ai.tool.type");

  /** {@code gen_ai.tool.description}. */
  public static final AttributeKey<String> GEN_AI_TOOL_DESCRIPTION =
      stringKey("gen_ai.tool.description");

  /** {@code gen_ai.input.messages}, JSON; opt-in content. */
  public static final AttributeKey<String> GEN_AI_INPUT_MESSAGES =
      stringKey("gen_ai.input.messages");

  /** {@code gen_ai.output.messages}, JSON; opt-in content. */
  public static final AttributeKey<String> GEN_AI_OUTPUT_MESSAGES =
      stringKey("gen_ai.output.messages");

  /** {@code gen_ai.system_instructions}, JSON; opt-in content. */
  public static final AttributeKey<String> GEN_AI_SYSTEM_INSTRUCTIONS =
      stringKey("gen_ai.system_instructions");

  /** {@code server.address}. */
  public static final AttributeKey<String> SERVER_ADDRESS = stringKey("server.address");

  /** {@code server.port}. */
  public static final AttributeKey<Long> SERVER_PORT = longKey("server.port");

  /** {@code error.type}. */
  public static final AttributeKey<String> ERROR_TYPE = stringKey("error.type");

  /** {@code session.id}, which GenAI backends read to group a session's operations. */
  public static final AttributeKey<String> SESSION_ID = stringKey("session.id");

  /**
   * {@code hyperlens.gen_ai.content.truncated}: true when captured content was cut to the cap (not
   * a convention; Hyperlens' own marker).
   */
  public static final AttributeKey<Boolean> CONTENT_TRUNCATED =
      AttributeKey.booleanKey("hyperlens.gen_ai.content.truncated");

  /**
   * {@code hyperlens.genai.cost.usd}: what a priced operation's token usage cost in USD, from the
   * telemetry's {@link GenAiPriceTable} (not a convention; Hyperlens' own).
   */
  public static final AttributeKey<Double> COST_USD = doubleKey("hyperlens.genai.cost.usd");

  /**
   * {@code hyperlens.genai.cost.status}: {@value #COST_STATUS_UNPRICED} when an operation's token
   * usage could not be priced (not a convention; Hyperlens' own).
   */
  public static final AttributeKey<String> COST_STATUS = stringKey("hyperlens.genai.cost.status");

  /** {@code hyperlens.genai.cost.status} of a model the price table does not know. */
  public static final String COST_STATUS_UNPRICED = "unpriced";

  /** The {@code provider} label of the cost metrics: the {@code gen_ai.provider.name}. */
  public static final AttributeKey<String> COST_PROVIDER = stringKey("provider");

  /** The {@code model} label of the cost metrics: the response model, else the request model. */
  public static final AttributeKey<String> COST_MODEL = stringKey("model");

  /** The {@code agent} label of the cost metrics: the operation's {@code gen_ai.agent.name}. */
  public static final AttributeKey<String> COST_AGENT = stringKey("agent");

  /** The {@code chat} operation. */
  public static final String OPERATION_CHAT = "chat";

  /** The {@code invoke_agent} operation. */
  public static final String OPERATION_INVOKE_AGENT = "invoke_agent";

  /** The {@code create_agent} operation. */
  public static final String OPERATION_CREATE_AGENT = "create_agent";

  /** The {@code execute_tool} operation. */
  public static final String OPERATION_EXECUTE_TOOL = "execute_tool";

  /** {@code gen_ai.token.type} of input tokens. */
  public static final String TOKEN_TYPE_INPUT = "input";

  /** {@code gen_ai.token.type} of output tokens. */
  public static final String TOKEN_TYPE_OUTPUT = "output";

  private GenAiAttributes() {}
}
