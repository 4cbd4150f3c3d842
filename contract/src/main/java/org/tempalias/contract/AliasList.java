package org.tempalias.contract;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Aliases that still exist, newest first. */
public record AliasList(List<AliasStatus> aliases) {
  private static final String ALIASES = "aliases";

  public AliasList {
    aliases = List.copyOf(aliases);
  }

  public JsonObject toJson() {
    return new JsonObject().put(ALIASES, new JsonArray(aliases.stream().map(AliasStatus::toJson).toList()));
  }

  public static AliasList fromJson(JsonObject json) {
    JsonArray list = json.getJsonArray(ALIASES, new JsonArray());
    return new AliasList(list.stream().map(o -> AliasStatus.fromJson((JsonObject) o)).toList());
  }
}
