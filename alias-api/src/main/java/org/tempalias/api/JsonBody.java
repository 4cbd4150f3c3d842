package org.tempalias.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/** A request body that must be one JSON object: the one place that says what is wrong with it. */
final class JsonBody {
  private JsonBody() {}

  /** The object; throws {@link ApiError} invalid-data (empty: {@code whatToSend} says what belongs there). */
  static JsonObject object(Buffer body, String whatToSend) {
    if (body == null || body.length() == 0) {
      throw ApiError.invalidData("the request body is empty; send " + whatToSend);
    }
    Object decoded;
    try {
      decoded = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ApiError.invalidData("the request body is not valid JSON");
    }
    if (!(decoded instanceof JsonObject json)) {
      throw ApiError.invalidData("the request body must be a JSON object");
    }
    return json;
  }
}
