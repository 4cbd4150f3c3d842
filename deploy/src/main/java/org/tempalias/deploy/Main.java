package org.tempalias.deploy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar tempalias.jar}: resolves the settings, starts the node and stops it cleanly on
 * SIGTERM / Ctrl-C. A configuration problem ends in one line on stderr and exit code 2, not a
 * stack trace.
 */
public final class Main {
  private static final long START_TIMEOUT_SECONDS = 120;
  private static final long STOP_TIMEOUT_SECONDS = 90;

  private Main() {}

  public static void main(String[] args) {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    System.setProperty("hazelcast.logging.type", "slf4j");
    try {
      if (CommandLine.parse(args).help()) {
        System.out.println(CommandLine.USAGE);
        return;
      }
      Settings settings = Settings.load(args, System.getenv());
      Service service = awaitStart(settings);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(service), "tempalias-shutdown"));
    } catch (ConfigException e) {
      System.err.println("tempalias: " + e.getMessage());
      System.exit(2);
    }
  }

  private static Service awaitStart(Settings settings) {
    try {
      return Service.start(settings).toCompletionStage().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof ConfigException ce ? ce : new ConfigException("cannot start: " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new ConfigException("did not start within " + START_TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("interrupted while starting");
    }
  }

  private static void stop(Service service) {
    Logger log = LoggerFactory.getLogger(Main.class);
    log.info("shutting down: finishing in-flight work");
    CountDownLatch stopped = new CountDownLatch(1);
    service.stop().onComplete(ar -> stopped.countDown());
    try {
      if (!stopped.await(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        log.warn("shutdown did not finish within {} s", STOP_TIMEOUT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
