package org.tempalias.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.smtp.GatewayHarness.await;
import static org.tempalias.smtp.GatewayHarness.waitFor;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tempalias.testsupport.LineClient;
import org.tempalias.testsupport.ScriptedSmarthost;
import org.tempalias.testsupport.TestRedis;

/**
 * A 50 MiB message through gateway, real relay and a counting smarthost, run by failsafe in its
 * own JVM capped at -Xmx128m (see the pom): it only passes if nothing holds the whole message.
 */
class LargeMessageIT {
  static final int MIB = 1024 * 1024;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void fiftyMebibytesStreamThroughWithACappedHeap() throws Exception {
    assertThat(Runtime.getRuntime().maxMemory()).as("heap cap").isLessThan(200L * MIB);
    TestRedis redis = TestRedis.start();
    Vertx vertx = Vertx.vertx();
    try {
      Backends.deployStore(vertx, redis);
      ScriptedSmarthost smarthost = new ScriptedSmarthost();
      smarthost.countOnly = true;
      await(smarthost.start(vertx));
      Backends.deployRelay(vertx, smarthost.port(), new JsonObject());
      int port = GatewayHarness.deploy(vertx, new JsonObject().put("maxMessageBytes", 60 * MIB)).actualPort();
      String aid = Backends.createAlias(vertx, "big@dest.example", 1);

      byte[] line = new byte[100];
      Arrays.fill(line, (byte) 'x');
      line[98] = '\r';
      line[99] = '\n';
      byte[] block = new byte[64 * 1024];
      for (int i = 0; i + 100 <= block.length; i += 100) {
        System.arraycopy(line, 0, block, i, 100);
      }
      int usable = block.length - block.length % 100;
      long total = 0;
      try (LineClient c = new LineClient(port)) {
        c.timeout(60_000);
        c.expect("220 ");
        c.cmd("EHLO client.example").expect("250 ");
        c.cmd("MAIL FROM:<a@b.example> SIZE=" + 50L * MIB).expect("250 ");
        c.cmd("RCPT TO:<" + aid + "@tempalias.test>").expect("250 ");
        c.cmd("DATA").expect("354 ");
        c.send("Subject: big\r\n\r\n");
        total += "Subject: big\r\n\r\n".length();
        while (total + usable <= 50L * MIB) {
          c.sendBytes(Arrays.copyOf(block, usable));
          total += usable;
        }
        c.send(".\r\n").expect("250 ");
      }
      waitFor("delivery", () -> smarthost.delivered.size() == 1);
      // What the sink counted past our bytes: our Received header, and the terminator's ".CRLF".
      long overhead = smarthost.dataBytes.get() - total;
      assertThat(overhead).as("our Received header").isBetween(100L, 400L);
    } finally {
      await(vertx.close());
      redis.stop();
    }
  }
}
