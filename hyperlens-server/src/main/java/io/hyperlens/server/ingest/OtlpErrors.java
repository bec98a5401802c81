package io.hyperlens.server.ingest;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The body of an OTLP/HTTP error answer, as the OTLP specification requires of every 4xx and 5xx: a
 * {@code google.rpc.Status} with a developer-facing message, in the encoding of the request (binary
 * protobuf for {@code application/x-protobuf}, protobuf JSON otherwise). Its {@code code} is the
 * gRPC code of the HTTP status, and the problems found, if any, travel as a {@code
 * google.rpc.BadRequest} in its details. The hub's other routes answer errors with their own JSON.
 *
 * <pre>{@code
 * OtlpErrors.Body body = OtlpErrors.body(400, "bad id", List.of(), "application/x-protobuf");
 * Status status = Status.parseFrom(body.bytes());
 * }</pre>
 */
public final class OtlpErrors {
  private static final JsonFormat.Printer JSON =
      JsonFormat.printer()
          .usingTypeRegistry(
              JsonFormat.TypeRegistry.newBuilder().add(BadRequest.getDescriptor()).build());

  /**
   * An encoded answer.
   *
   * @param bytes the encoded {@code Status}
   * @param contentType its media type
   */
  public record Body(byte[] bytes, String contentType) {}

  private OtlpErrors() {}

  /**
   * The answer to an export refused with {@code httpStatus}.
   *
   * @param requestContentType the request's {@code Content-Type}, which picks the encoding
   */
  public static Body body(
      int httpStatus, String message, List<Problem> problems, String requestContentType) {
    Status.Builder status = Status.newBuilder().setCode(code(httpStatus).getNumber());
    if (message != null) {
      status.setMessage(message);
    }
    if (!problems.isEmpty()) {
      BadRequest.Builder details = BadRequest.newBuilder();
      for (Problem problem : problems) {
        details.addFieldViolations(
            BadRequest.FieldViolation.newBuilder()
                .setField(
                    problem.index() < 0 ? problem.field() : problem.index() + "." + problem.field())
                .setDescription(problem.message()));
      }
      status.addDetails(Any.pack(details.build()));
    }
    boolean protobuf =
        requestContentType != null
            && requestContentType.toLowerCase(Locale.ROOT).trim().startsWith(OtlpIngest.PROTOBUF);
    if (protobuf) {
      return new Body(status.build().toByteArray(), OtlpIngest.PROTOBUF);
    }
    try {
      return new Body(JSON.print(status).getBytes(StandardCharsets.UTF_8), "application/json");
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a Status always prints", e);
    }
  }

  /** The gRPC code gRPC's own HTTP mapping gives {@code httpStatus}. */
  static Code code(int httpStatus) {
    switch (httpStatus) {
      case 400:
      case 413:
      case 415:
        return Code.INVALID_ARGUMENT;
      case 401:
        return Code.UNAUTHENTICATED;
      case 403:
        return Code.PERMISSION_DENIED;
      case 404:
        return Code.NOT_FOUND;
      case 405:
        return Code.UNIMPLEMENTED;
      case 429:
        return Code.RESOURCE_EXHAUSTED;
      case 503:
        return Code.UNAVAILABLE;
      default:
        return httpStatus >= 500 ? Code.INTERNAL : Code.UNKNOWN;
    }
  }
}
