package org.tempalias.testsupport;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Bounded waits for the test thread: a future's result, or a condition. Never sleep-and-hope. */
public final class Await {
  /** How long a step of a test may take before it counts as hung. */
  public static final Duration BOUND = Duration.ofSeconds(20);

  private Await() {}

  /** The future's result within {@link #BOUND}; its failure or the timeout as an AssertionError. */
  public static <T> T await(Future<T> future) {
    return await(future, BOUND);
  }

  public static <T> T await(Future<T> future, Duration bound) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (Exception e) {
      throw new AssertionError("no result within " + bound.toSeconds() + " s: " + e, e);
    }
  }

  /** Polls the condition every 20 ms until it holds, for at most {@link #BOUND}. */
  public static void waitFor(String what, BooleanSupplier condition) {
    waitFor(what, BOUND, condition);
  }

  public static void waitFor(String what, Duration bound, BooleanSupplier condition) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + bound.toSeconds() + " s waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }
}
