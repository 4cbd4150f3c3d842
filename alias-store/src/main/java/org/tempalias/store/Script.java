package org.tempalias.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One Lua script from this package's resources. {@link #run} sends EVALSHA with the SHA-1
 * computed here, so nothing has to be loaded at start (Redis may be down then); a NOSCRIPT answer
 * (Redis restarted, SCRIPT FLUSH, a cluster node that never saw the script) falls back to EVAL,
 * which also caches the script on that node for the next EVALSHA.
 */
final class Script {
  private final String source;
  private final String sha1;

  private Script(String source) {
    this.source = source;
    this.sha1 = sha1(source);
  }

  static Script load(String name) {
    return new Script(read(name));
  }

  /**
   * A script that changes claims: {@code claims-lib.lua} (the key layout and the lazy bookkeeping
   * every such script does first) followed by the script itself. Lua in Redis has no includes.
   */
  static Script withClaims(String name) {
    return new Script(read("claims-lib") + "\n" + read(name));
  }

  private static String read(String name) {
    String resource = name + ".lua";
    try (InputStream in = Script.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read script " + resource, e);
    }
  }

  String sha1() {
    return sha1;
  }

  /** Every key the script touches is in {@code keys}, so a cluster client routes it by them. */
  Future<Response> run(RedisGate redis, List<String> keys, List<String> args) {
    return redis.send(request(Command.EVALSHA, sha1, keys, args))
        .recover(failure -> isNoScript(failure)
            ? redis.send(request(Command.EVAL, source, keys, args))
            : Future.failedFuture(failure));
  }

  private static Request request(Command command, String script, List<String> keys, List<String> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }

  private static boolean isNoScript(Throwable failure) {
    String message = failure.getMessage();
    return message != null && message.startsWith("NOSCRIPT");
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
  }
}
