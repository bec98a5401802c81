package io.hyperlens.server.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;

/** What a JSON parse failure says to a client: the parser's words, without its internals. */
final class JsonMessages {
  private JsonMessages() {}

  static String of(IOException e) {
    if (e instanceof JsonProcessingException) {
      JsonProcessingException json = (JsonProcessingException) e;
      String where =
          json.getLocation() == null
              ? ""
              : " at line "
                  + json.getLocation().getLineNr()
                  + ", column "
                  + json.getLocation().getColumnNr();
      return json.getOriginalMessage() + where;
    }
    return String.valueOf(e.getMessage());
  }
}
