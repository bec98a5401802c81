package io.hyperlens.server.ingest;

/**
 * One thing wrong with posted telemetry, as the hub's 400 answers list it.
 *
 * @param index the position of the event or span in the batch, or -1 for the batch itself
 * @param field the field at fault, as named on the wire ({@code event_type}, {@code trace_id})
 * @param message what is wrong, with the offending value
 */
public record Problem(int index, String field, String message) {}
